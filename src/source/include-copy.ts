/**
 * Copies (part of) an included GitRepository's artifact into this repository's checkout
 * (`spec.include[]`, flux-compat §1.1). Paths are jailed: nothing in the archive and nothing in
 * `fromPath`/`toPath` can write outside the target directory.
 */
import { createReadStream } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { dirname, relative, resolve, sep } from "node:path";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import { extract } from "tar-stream";

/** A path that would leave its root. */
export class IllegalIncludePathError extends Error {
  override readonly name = "IllegalIncludePathError";
}

/** Normalises a relative path (`./a/b/` → `a/b`), refusing absolute paths and `..`. */
export function cleanRelPath(p: string): string {
  const parts = p.split("/").filter((s) => s !== "" && s !== ".");
  if (p.startsWith("/") || parts.includes(".."))
    throw new IllegalIncludePathError(`path '${p}' must stay inside the artifact`);
  return parts.join("/");
}

/** `root/rel`, guaranteed to be inside root. */
export function secureJoin(root: string, rel: string): string {
  const full = resolve(root, cleanRelPath(rel));
  const r = relative(resolve(root), full);
  if (r.startsWith("..") || r.split(sep).includes(".."))
    throw new IllegalIncludePathError(`path '${rel}' escapes '${root}'`);
  return full;
}

/** Extracts the entries of `archive` below `fromPath` into `destRoot/toPath`. */
export async function copyIncludedArtifact(
  archive: string,
  fromPath: string,
  destRoot: string,
  toPath: string,
): Promise<void> {
  const from = cleanRelPath(fromPath);
  const target = secureJoin(destRoot, toPath);
  await rm(target, { recursive: true, force: true });
  await mkdir(target, { recursive: true });
  const ex = extract();
  ex.on("entry", (header, stream, next) => {
    const done = (err?: unknown): void => next(err as Error | undefined);
    const name = cleanRelPath(header.name);
    const inside = from === "" || name === from || name.startsWith(`${from}/`);
    if (!inside || (header.type !== "file" && header.type !== "directory")) {
      stream.on("end", () => done()).resume();
      return;
    }
    const rel = from === "" ? name : name.slice(from.length).replace(/^\//, "");
    const dest = rel === "" ? target : secureJoin(target, rel);
    if (header.type === "directory") {
      mkdir(dest, { recursive: true }).then(() => stream.on("end", () => done()).resume(), done);
      return;
    }
    const chunks: Buffer[] = [];
    stream.on("data", (c: unknown) => void chunks.push(c as Buffer));
    stream.on("end", () => {
      mkdir(dirname(dest), { recursive: true })
        .then(() => writeFile(dest, Buffer.concat(chunks), { mode: header.mode & 0o111 ? 0o755 : 0o644 }))
        .then(() => done(), done);
    });
  });
  await pipeline(createReadStream(archive), createGunzip(), ex);
}
