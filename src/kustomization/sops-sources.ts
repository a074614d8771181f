/**
 * Flux's `DecryptSources`, extended to whole resource files: walks the kustomization tree of a
 * build inside the extracted artifact and replaces each SOPS-encrypted input with its plaintext,
 * in place, before the (synchronous) kustomize build reads it:
 * - `secretGenerator` `envs`/`env` files (format from the path, dotenv by default) and `files`
 *   (format from the key, binary by default), as Flux;
 * - `patches[].path` files, as Flux;
 * - resource files (YAML/JSON with a `sops` block). Flux decrypts those after the build, where
 *   kustomize's edits make the MAC unverifiable; decrypting the file as written lets the MAC be
 *   checked. Documents annotated `kustomize.toolkit.fluxcd.io/decrypt: disabled` stay encrypted.
 * Every path stays inside the artifact root; encrypted files over 5 MiB and non-regular files are
 * refused. Writing in place relies on `FetchedArtifact` being this run's private scratch copy: a
 * shared or cached extraction would need a copy first, or plaintext would outlive the run.
 */
import { lstat, readFile, realpath, writeFile } from "node:fs/promises";
import path from "node:path";
import { parseAllDocuments } from "yaml";
import { KUSTOMIZATION_FILE_NAMES } from "../kustomize/loader.js";
import {
  type GeneratorArgs,
  parseKustomization,
  type Kustomization as KustomizeFile,
} from "../kustomize/kustomization.js";
import { FORMAT_MARKERS, formatForPath, type SopsFormat } from "../sops/stores.js";

/** Decrypts one file's bytes (the pure SOPS decryptor bound to the run's keys). */
export type FileDecrypt = (bytes: Buffer, format: SopsFormat, file: string) => Promise<Buffer>;

/** Flux's limit on an encrypted file's size. */
const MAX_ENCRYPTED_FILE_BYTES = 5 << 20;

/** The annotation that leaves a resource encrypted. */
export const DECRYPT_ANNOTATION = "kustomize.toolkit.fluxcd.io/decrypt";

/** Whether an annotation map disables decryption (Flux compares case-insensitively). */
export function isDecryptionDisabled(annotations: unknown): boolean {
  if (annotations === null || typeof annotations !== "object") return false;
  const v = (annotations as Record<string, unknown>)[DECRYPT_ANNOTATION];
  return typeof v === "string" && v.toLowerCase() === "disabled";
}

const isWithin = (p: string, root: string): boolean => {
  const rel = path.relative(root, p);
  return rel === "" || (!rel.startsWith("..") && !path.isAbsolute(rel));
};

class SourceWalk {
  private readonly visitedDirs = new Set<string>();
  private readonly decrypted = new Set<string>();

  constructor(
    private readonly root: string,
    private readonly decrypt: FileDecrypt,
  ) {}

  private shown(p: string): string {
    return path.relative(this.root, p) || ".";
  }

  /** The real path of `rel` under `dir`, or undefined when it does not exist or leaves the root. */
  private async resolve(dir: string, rel: string): Promise<string | undefined> {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(rel)) return undefined;
    try {
      const real = await realpath(path.resolve(dir, rel));
      return isWithin(real, this.root) ? real : undefined;
    } catch {
      return undefined;
    }
  }

  async dir(dir: string): Promise<void> {
    const real = await this.resolve(dir, ".");
    if (real === undefined || this.visitedDirs.has(real)) return;
    this.visitedDirs.add(real);
    const k = await this.kustomization(real);
    if (k === undefined) return;
    for (const gen of k.secretGenerator ?? []) await this.generatorInputs(real, gen);
    await this.patchInputs(real, k);
    for (const entry of [...(k.resources ?? []), ...(k.components ?? [])].map(String))
      await this.entry(real, entry);
  }

  /** `patches[].path` files, in the format their name says (as Flux). */
  private async patchInputs(dir: string, k: KustomizeFile): Promise<void> {
    for (const p of k.patches ?? []) {
      const file = (p as { path?: unknown }).path;
      if (typeof file === "string" && file !== "") await this.input(dir, file, formatForPath(file));
    }
  }

  /** A `resources`/`components` entry: a directory to walk or a resource file. */
  private async entry(dir: string, rel: string): Promise<void> {
    const target = await this.resolve(dir, rel);
    if (target === undefined) return;
    if ((await lstat(target)).isDirectory()) await this.dir(target);
    else await this.resource(target);
  }

  private async kustomization(dir: string): Promise<KustomizeFile | undefined> {
    for (const name of KUSTOMIZATION_FILE_NAMES) {
      const file = path.join(dir, name);
      try {
        return parseKustomization(await readFile(file, "utf8"), this.shown(file));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "ENOENT") continue;
        throw err;
      }
    }
    return undefined;
  }

  /** A secretGenerator's `files` (format from the key) and `envs` (dotenv unless named otherwise). */
  private async generatorInputs(dir: string, gen: GeneratorArgs): Promise<void> {
    for (const source of (gen.files ?? []).map(String)) {
      const eq = source.indexOf("=");
      const key = eq < 0 ? source : source.slice(0, eq);
      await this.input(dir, eq < 0 ? source : source.slice(eq + 1), formatForPath(key));
    }
    for (const env of [...(gen.envs ?? []), ...(gen.env ? [gen.env] : [])].map(String)) {
      const format = formatForPath(env);
      await this.input(dir, env, format === "binary" ? "dotenv" : format);
    }
  }

  /**
   * Reads a file that may be encrypted; undefined when it was decrypted already or is plain
   * (a plain file of any size is left to the build). An encrypted file over 5 MiB is refused.
   */
  private async encrypted(file: string, format: SopsFormat): Promise<Buffer | undefined> {
    if (this.decrypted.has(file)) return undefined;
    const st = await lstat(file);
    if (!st.isFile()) throw new Error(`cannot decrypt '${this.shown(file)}': not a regular file`);
    const bytes = await readFile(file);
    if (!bytes.includes(FORMAT_MARKERS[format])) return undefined;
    if (st.size > MAX_ENCRYPTED_FILE_BYTES) {
      throw new Error(
        `cannot decrypt '${this.shown(file)}': size ${st.size} bytes exceeds the limit of ${MAX_ENCRYPTED_FILE_BYTES}`,
      );
    }
    return bytes;
  }

  private async input(dir: string, rel: string, format: SopsFormat): Promise<void> {
    const file = await this.resolve(dir, rel);
    if (file === undefined) return;
    const bytes = await this.encrypted(file, format);
    if (bytes === undefined) return;
    await this.replace(file, await this.decrypt(bytes, format, this.shown(file)));
  }

  private async resource(file: string): Promise<void> {
    const format: SopsFormat = file.endsWith(".json") ? "json" : "yaml";
    const bytes = await this.encrypted(file, format);
    if (bytes === undefined) return;
    const docs = parseAllDocuments(bytes.toString("utf8"));
    const list = Array.isArray(docs) ? docs : [];
    const disabled = list.map((d) => {
      const meta: unknown = (d.toJS() as { metadata?: unknown } | null)?.metadata;
      return (
        meta !== null &&
        typeof meta === "object" &&
        isDecryptionDisabled((meta as { annotations?: unknown }).annotations)
      );
    });
    if (disabled.length > 0 && disabled.every(Boolean)) return;
    const plain = await this.decrypt(bytes, format, this.shown(file));
    if (!disabled.some(Boolean)) return this.replace(file, plain);
    const decryptedDocs = parseAllDocuments(plain.toString("utf8"));
    const out = (Array.isArray(decryptedDocs) ? decryptedDocs : []).map((d, i) =>
      disabled[i] === true ? (list[i]?.toString() ?? "") : d.toString(),
    );
    await this.replace(file, Buffer.from(out.join("---\n"), "utf8"));
  }

  private async replace(file: string, plaintext: Buffer): Promise<void> {
    await writeFile(file, plaintext, { mode: 0o600 });
    this.decrypted.add(file);
  }
}

/**
 * Decrypts, in place, the SOPS-encrypted inputs of the kustomization at `dir` and everything it
 * includes, never leaving `root`. Throws naming the file; messages carry no plaintext.
 */
export async function decryptKustomizationSources(
  root: string,
  dir: string,
  decrypt: FileDecrypt,
): Promise<void> {
  const realRoot = await realpath(root);
  await new SourceWalk(realRoot, decrypt).dir(dir);
}
