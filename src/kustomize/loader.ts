import { readFileSync, realpathSync, statSync } from "node:fs";
import path from "node:path";
import { KustomizeError } from "./errors.js";

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
  private readonly cache: Map<string, string>;
  private readonly rootOnly: boolean;

  constructor(dir: string, opts: { allowedRoot?: string; displayRoot?: string; cache?: Map<string, string> }) {
    this.dir = dir;
    this.rootOnly = opts.allowedRoot === undefined;
    this.allowedRoot = opts.allowedRoot ?? dir;
    this.displayRoot = opts.displayRoot ?? dir;
    this.cache = opts.cache ?? new Map<string, string>();
  }

  /** A path relative to the top of the build, for messages. */
  display(p: string): string {
    const rel = path.relative(this.displayRoot, p);
    return rel === "" ? "." : rel;
  }

  /** Resolves `rel` against this directory and checks it stays inside the allowed root. */
  resolve(rel: string): string {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(rel) || rel.startsWith("git@") || /^github\.com\//.test(rel)) {
      throw new KustomizeError(`remote resource '${rel}' is not supported: only local files can be built`, {
        file: this.display(this.dir),
      });
    }
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

  private resolveDir(rel: string): string {
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
    try {
      return { buffer: readFileSync(real), file: real };
    } catch (cause) {
      throw new KustomizeError(`cannot read '${rel}'`, { file: this.display(real), cause });
    }
  }

  /**
   * A loader for a sub-directory (a base or component), with the same restriction semantics. A
   * base may live outside this directory (kustomize checks files, not bases) but never at or
   * above it, which would be a cycle; under an explicit allowed root it must stay inside it.
   */
  child(rel: string): Loader {
    const real = this.resolveDir(rel);
    return new Loader(real, {
      allowedRoot: this.rootOnly ? undefined : this.allowedRoot,
      displayRoot: this.displayRoot,
      cache: this.cache,
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
