import { readFileSync, realpathSync, statSync } from "node:fs";
import path from "node:path";
import { KustomizeError } from "./errors.js";
import { BuildBudget } from "./limits.js";
import { isRemoteReference, REMOTE_NOT_SUPPORTED } from "./remote.js";

/** Names kustomize accepts for a kustomization file, in the order it tries them. */
export const KUSTOMIZATION_FILE_NAMES = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

/**
 * Reads files for one kustomization directory, refusing anything outside the allowed root
 * (`..` escapes, absolute paths, symlinks that escape) and any URL. kubectl's default
 * (LoadRestrictionsRootOnly) makes the allowed root the kustomization directory itself; Flux
 * allows the whole artifact root. Files are cached by real path, so a diamond of bases reads
 * each file once.
 */
export class Loader {
  /** Real path of this kustomization directory. */
  readonly dir: string;
  /** Real path no read may leave. */
  readonly allowedRoot: string;
  /** Real path of the top of the build, used to print paths in errors. */
  readonly displayRoot: string;
  /** Bytes and objects used by the whole build, shared by every loader of the build. */
  readonly budget: BuildBudget;
  private readonly cache: Map<string, string>;
  private readonly rootOnly: boolean;

  constructor(
    dir: string,
    opts: { allowedRoot?: string; displayRoot?: string; cache?: Map<string, string>; budget?: BuildBudget },
  ) {
    this.dir = dir;
    this.rootOnly = opts.allowedRoot === undefined;
    this.allowedRoot = opts.allowedRoot ?? dir;
    this.displayRoot = opts.displayRoot ?? dir;
    this.cache = opts.cache ?? new Map<string, string>();
    this.budget = opts.budget ?? new BuildBudget();
  }

  /** A path relative to the top of the build, for messages. */
  display(p: string): string {
    const rel = path.relative(this.displayRoot, p);
    return rel === "" ? "." : rel;
  }

  /** Resolves `rel` against this directory and checks it stays inside the allowed root. */
  resolve(rel: string): string {
    this.refuseRemote(rel);
    const abs = path.resolve(this.dir, rel);
    let real: string;
    try {
      real = realpathSync(abs);
    } catch (cause) {
      throw new KustomizeError(`'${rel}' does not exist (looked for ${this.display(abs)})`, {
        file: this.display(this.dir),
        cause,
      });
    }
    if (!isWithin(real, this.allowedRoot)) {
      throw new KustomizeError(
        `security; file '${this.display(abs)}' is not in or below '${this.display(this.allowedRoot)}'`,
        { file: this.display(this.dir) },
      );
    }
    return real;
  }

  /** kustomize would fetch a URL; mooring builds only what the source artifact holds. */
  private refuseRemote(rel: string): void {
    if (isRemoteReference(rel)) {
      throw new KustomizeError(`remote bases are not supported: '${rel}' ${REMOTE_NOT_SUPPORTED}`, {
        file: this.display(this.dir),
      });
    }
  }

  private resolveDir(rel: string): string {
    this.refuseRemote(rel);
    let real: string;
    if (!this.rootOnly) real = this.resolve(rel);
    else {
      try {
        real = realpathSync(path.resolve(this.dir, rel));
      } catch (cause) {
        throw new KustomizeError(`'${rel}' does not exist`, { file: this.display(this.dir), cause });
      }
    }
    if (isWithin(this.dir, real)) {
      throw new KustomizeError(`cycle detected: base '${rel}' is at or above '${this.display(this.dir)}'`, {
        file: this.display(this.dir),
      });
    }
    return real;
  }

  /** Whether `rel` names a directory (false when missing). */
  isDir(rel: string): boolean {
    try {
      return statSync(path.resolve(this.dir, rel)).isDirectory();
    } catch {
      return false;
    }
  }

  /** Reads a file relative to this directory. */
  read(rel: string): { text: string; file: string } {
    const real = this.resolve(rel);
    let text = this.cache.get(real);
    if (text === undefined) {
      this.budget.read(this.sizeOf(real), this.display(real));
      try {
        text = readFileSync(real, "utf8");
      } catch (cause) {
        throw new KustomizeError(`cannot read '${rel}'`, { file: this.display(real), cause });
      }
      this.cache.set(real, text);
    }
    return { text, file: real };
  }

  /** Reads a file as bytes (generator inputs may be binary). */
  readBytes(rel: string): { buffer: Buffer; file: string } {
    const real = this.resolve(rel);
    this.budget.read(this.sizeOf(real), this.display(real));
    try {
      return { buffer: readFileSync(real), file: real };
    } catch (cause) {
      throw new KustomizeError(`cannot read '${rel}'`, { file: this.display(real), cause });
    }
  }

  /** Size of a file about to be read (0 when it cannot be stat'ed: the read reports that). */
  private sizeOf(real: string): number {
    try {
      return statSync(real).size;
    } catch {
      return 0;
    }
  }

  /**
   * A loader for a sub-directory (a base or component), with the same restriction semantics. A
   * base may live outside this directory (kustomize checks files, not bases) but never at or
   * above it, which would be a cycle; under an explicit allowed root it must stay inside it.
   */
  child(rel: string): Loader {
    // An empty entry (`- ""`, or `-` alone: Go's zero value) is refused by kustomize's loader.
    if (rel === "") throw new KustomizeError("new root cannot be empty", { file: this.display(this.dir) });
    const real = this.resolveDir(rel);
    // A file where a directory is needed (a `components:` entry naming a file), said as kustomize says it.
    if (!statSync(real).isDirectory()) {
      throw new KustomizeError(`must build at directory: '${this.display(real)}': file is not directory`, {
        file: this.display(this.dir),
      });
    }
    return new Loader(real, {
      allowedRoot: this.rootOnly ? undefined : this.allowedRoot,
      displayRoot: this.displayRoot,
      cache: this.cache,
      budget: this.budget,
    });
  }

  /** The kustomization file of this directory, or undefined when there is none. */
  findKustomizationFile(): string | undefined {
    const found = KUSTOMIZATION_FILE_NAMES.filter((n) => {
      try {
        return statSync(path.join(this.dir, n)).isFile();
      } catch {
        return false;
      }
    });
    if (found.length > 1) {
      throw new KustomizeError(`found multiple kustomization files: ${found.join(", ")}`, {
        file: this.display(this.dir),
      });
    }
    return found[0];
  }
}

function isWithin(p: string, root: string): boolean {
  const rel = path.relative(root, p);
  return rel === "" || (!rel.startsWith("..") && !path.isAbsolute(rel));
}
