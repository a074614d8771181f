/**
 * Extraction of a source artifact (`.tar.gz`) into a directory, safely: an entry whose path
 * would land outside the directory fails the whole extraction, symlinks and hard links are
 * skipped (as Flux's untar does), and the unpacked size is capped so a hostile or runaway
 * artifact cannot fill the disk.
 */
import { closeSync, createReadStream, mkdirSync, openSync } from "node:fs";
import path from "node:path";
import { stat } from "node:fs/promises";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import { extract, type Header } from "tar-stream";
import { writeAllSync } from "./write-sync.js";

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

/**
 * Why extraction is shaped as it is (issue 17, bench S9): every asynchronous file-system call is
 * one more turn of the event loop before the extraction goes on, and on a controller whose loop is
 * busy (a 10,000-object apply beside) each turn waits behind that work. Writing a 1 MB,
 * 150-entry artifact entry by entry, chunk by chunk, with asynchronous calls took about 460
 * turns: 40 ms on an idle loop, 0.2-1 s for each small Kustomization beside the big apply. So
 * decompressed chunks are large, and files are written with synchronous calls (a local temp
 * directory: tens of microseconds each) in slices of at most {@link SLICE_MS}, the loop served
 * between slices. What is left is a few turns per MiB for decompression.
 */
const CHUNK_BYTES = 1 << 20;

/**
 * Read and inflate buffers sized to the artifact: up to {@link CHUNK_BYTES}, but never a 1 MiB block
 * for a few kilobytes. Node allocates a read stream's whole highWaterMark for every read, and each
 * such block is external memory that hastens V8's next full collection: at bench S1's 1,000 small
 * artifacts the fixed 1 MiB blocks cost the controller about a sixth more CPU.
 */
export function bufferSizes(compressedBytes: number): { read: number; inflate: number } {
  const read = Math.min(CHUNK_BYTES, Math.max(1024, compressedBytes));
  // YAML compresses about 4-8x; 16 KiB is zlib's default chunk.
  const inflate = Math.min(CHUNK_BYTES, Math.max(16 * 1024, compressedBytes * 8));
  return { read, inflate };
}

/** Longest run of synchronous writes before the event loop gets a turn. */
const SLICE_MS = 5;

/** Writes entries with synchronous calls, each directory created once, yielding every slice. */
class Writer {
  private readonly dirs = new Set<string>();
  private sliceStart = performance.now();

  /** Creates `dir` (and parents) once however many files it holds. */
  dir(dir: string): void {
    if (this.dirs.has(dir)) return;
    mkdirSync(dir, { recursive: true });
    this.dirs.add(dir);
  }

  /** Writes the entry's content to `target` as it arrives (memory stays at one chunk). */
  async file(target: string, stream: AsyncIterable<unknown>): Promise<void> {
    this.dir(path.dirname(target));
    const fd = openSync(target, "w", 0o600);
    try {
      for await (const chunk of stream) {
        writeAllSync(fd, chunk as Uint8Array);
        await this.yieldWhenDue();
      }
    } finally {
      closeSync(fd);
    }
    await this.yieldWhenDue();
  }

  /** Lets the event loop run when this slice of synchronous calls has lasted {@link SLICE_MS}. */
  private async yieldWhenDue(): Promise<void> {
    if (performance.now() - this.sliceStart < SLICE_MS) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.sliceStart = performance.now();
  }
}

async function writeEntry(
  header: Header,
  stream: AsyncIterable<unknown>,
  target: string,
  writer: Writer,
): Promise<void> {
  if (header.type !== "directory") return writer.file(target, stream);
  writer.dir(target);
  for await (const _ of stream) void _;
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
  const sizes = bufferSizes((await stat(file)).size);
  const feed = pipeline(
    createReadStream(file, { highWaterMark: sizes.read }),
    createGunzip({ chunkSize: sizes.inflate }),
    ex,
  );
  feed.catch(() => undefined); // observed below; this only prevents an unhandled rejection
  let total = 0;
  const writer = new Writer();
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
      await writeEntry(header, entry, entryTarget(dir, header.name), writer);
    }
    await feed;
  } catch (err) {
    ex.destroy();
    throw wrap(err);
  }
}
