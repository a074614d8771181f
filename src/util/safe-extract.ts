/**
 * Extraction of a source artifact (`.tar.gz`) into a directory, safely: an entry whose path
 * would land outside the directory fails the whole extraction, symlinks and hard links are
 * skipped (as Flux's untar does), and the unpacked size is capped so a hostile or runaway
 * artifact cannot fill the disk.
 */
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import { Readable } from "node:stream";
import { extract, type Header } from "tar-stream";

/** The archive is malformed, escapes its directory or is too large. */
export class ExtractError extends Error {
  override readonly name = "ExtractError";
}

/** Where an entry lands inside `dir`, or an error when its name escapes. */
export function entryTarget(dir: string, name: string): string {
  const clean = name.replaceAll("\\", "/");
  if (clean.startsWith("/") || path.isAbsolute(clean)) {
    throw new ExtractError(`tar entry '${name}' has an absolute path`);
  }
  const target = path.resolve(dir, clean);
  const rel = path.relative(dir, target);
  if (rel.startsWith("..") || path.isAbsolute(rel)) {
    throw new ExtractError(`tar entry '${name}' is outside the extraction directory`);
  }
  return target;
}

async function writeEntry(header: Header, stream: AsyncIterable<unknown>, target: string): Promise<void> {
  if (header.type === "directory") {
    await mkdir(target, { recursive: true });
    for await (const _ of stream) void _;
    return;
  }
  await mkdir(path.dirname(target), { recursive: true });
  await pipeline(Readable.from(stream, { objectMode: false }), createWriteStream(target, { mode: 0o600 }));
}

/** Entry types written to disk; everything else (links, devices, fifos) is skipped. */
const WRITTEN = new Set(["file", "contiguous-file", "directory"]);

const wrap = (err: unknown): ExtractError =>
  err instanceof ExtractError
    ? err
    : new ExtractError(`failed to extract artifact: ${err instanceof Error ? err.message : String(err)}`, {
        cause: err,
      });

/**
 * Extracts the gzipped tarball at `file` into `dir` (which must exist). Regular files and
 * directories only; at most `maxBytes` of file content in total.
 */
export async function extractTarGz(file: string, dir: string, maxBytes: number): Promise<void> {
  const ex = extract();
  const feed = pipeline(createReadStream(file), createGunzip(), ex);
  feed.catch(() => undefined); // observed below; this only prevents an unhandled rejection
  let total = 0;
  try {
    for await (const entry of ex) {
      const header = entry.header;
      if (!WRITTEN.has(header.type)) {
        entry.resume();
        continue;
      }
      total += header.size;
      if (total > maxBytes)
        throw new ExtractError(`artifact is larger than the limit of ${maxBytes} bytes when extracted`);
      await writeEntry(header, entry, entryTarget(dir, header.name));
    }
    await feed;
  } catch (err) {
    ex.destroy();
    throw wrap(err);
  }
}
