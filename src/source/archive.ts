/**
 * Reproducible `.tar.gz` artifacts (flux-compat §2.1).
 *
 * The digest must depend on content only, so entries are walked in Go's `filepath.Walk` order,
 * owners and times are zeroed, modes are normalised, and anything but regular files and
 * directories is dropped (which also keeps symlink targets outside the tree out of the artifact).
 * The file is written beside its destination and renamed, so readers never see half an artifact.
 */
import { createHash, randomBytes } from "node:crypto";
import { createReadStream, createWriteStream, type Stats } from "node:fs";
import { chmod, lstat, readdir, readFile, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { Transform, type TransformCallback, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGzip } from "node:zlib";
import { pack as tarPack, type Header, type Pack } from "tar-stream";
import type { IgnoreMatcher } from "./ignore.js";

/** Fixed modes Flux writes into artifacts. */
export const DIR_MODE = 0o750;
export const FILE_MODE = 0o600;
export const EXEC_FILE_MODE = 0o700;

/** What an archive run produced. */
export interface ArchiveResult {
  /** `sha256:<hex>` of the compressed bytes. */
  readonly digest: string;
  /** Compressed size in bytes. */
  readonly size: number;
}

interface WalkEntry {
  readonly rel: string;
  readonly abs: string;
  readonly stat: Stats;
}

const BATCH_BYTES = 1024 * 1024;

type HeaderArg = Partial<Header> & Pick<Header, "name">;

const byBytes = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));

/** Yields the root (as `.`) and everything below it, depth first, names sorted bytewise. */
async function* walk(root: string, filter: IgnoreMatcher | undefined): AsyncGenerator<WalkEntry> {
  yield { rel: ".", abs: root, stat: await lstat(root) };
  async function* visit(rel: string): AsyncGenerator<WalkEntry> {
    const names = (await readdir(join(root, rel))).sort(byBytes);
    for (const name of names) {
      const childRel = rel === "" ? name : `${rel}/${name}`;
      const abs = join(root, childRel);
      const stat = await lstat(abs);
      if (!stat.isFile() && !stat.isDirectory()) continue;
      if (filter?.ignores(childRel, stat.isDirectory()) === true) continue;
      yield { rel: childRel, abs, stat };
      if (stat.isDirectory()) yield* visit(childRel);
    }
  }
  yield* visit("");
}

/** One archive entry from any source (a directory walk or git objects). */
export interface ArchiveEntry {
  /** Path relative to the root, `/`-separated; the root itself is `.`. */
  readonly name: string;
  readonly type: "directory" | "file";
  readonly executable?: boolean;
  /** File content (files only). */
  readonly content?: () => Promise<Uint8Array>;
}

function header(e: ArchiveEntry, size: number): HeaderArg {
  const isDir = e.type === "directory";
  return {
    name: e.name,
    type: e.type,
    mode: isDir ? DIR_MODE : e.executable === true ? EXEC_FILE_MODE : FILE_MODE,
    size: isDir ? 0 : size,
    mtime: new Date(0),
    uid: 0,
    gid: 0,
    uname: "",
    gname: "",
  };
}

async function fill(pack: Pack, entries: AsyncIterable<ArchiveEntry>): Promise<void> {
  for await (const e of entries) {
    if (e.type === "directory") {
      pack.entry(header(e, 0));
      continue;
    }
    const content = (await e.content?.()) ?? new Uint8Array();
    await new Promise<void>((ok, fail) =>
      pack.entry(
        header(e, content.length),
        Buffer.from(content.buffer, content.byteOffset, content.byteLength),
        (err) => (err ? fail(err) : ok()),
      ),
    );
  }
  pack.finalize();
}

async function* directoryEntries(
  root: string,
  filter: IgnoreMatcher | undefined,
): AsyncGenerator<ArchiveEntry> {
  for await (const e of walk(root, filter)) {
    if (e.stat.isDirectory()) yield { name: e.rel, type: "directory" };
    else
      yield {
        name: e.rel,
        type: "file",
        executable: (e.stat.mode & 0o111) !== 0,
        content: () => readFile(e.abs),
      };
  }
}

/**
 * Hands the compressor 1 MiB chunks: each write into a zlib stream is a round trip to the
 * threadpool, and tar-stream writes every header, file and padding separately. The bytes are
 * copied into two buffers used in turn (one filling while zlib deflates the other), so no chunk is
 * allocated per megabyte. zlib is done with a buffer when its write callback runs. Deflate's output
 * does not depend on how its input is split, so the bytes stay the same.
 */
class Deflater extends Writable {
  private readonly free: Buffer[] = [Buffer.allocUnsafe(BATCH_BYTES), Buffer.allocUnsafe(BATCH_BYTES)];
  private buf: Buffer | undefined;
  private used = 0;
  private failed: Error | undefined;
  private onFree: (() => void) | undefined;

  constructor(private readonly gzip: Writable) {
    super();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, done: (err?: Error | null) => void): void {
    this.copyIn(chunk, 0, done);
  }

  override _final(done: (err?: Error | null) => void): void {
    if (this.used > 0) this.send();
    this.gzip.end((err?: Error | null) => done(err ?? this.failed ?? null));
  }

  /** Copies `chunk` from `at` into the current buffer, sending each full one; waits for a free one. */
  private copyIn(chunk: Buffer, at: number, done: (err?: Error | null) => void): void {
    for (let i = at; i < chunk.length;) {
      if (this.failed !== undefined) return done(this.failed);
      if (this.buf === undefined) {
        this.buf = this.free.pop();
        if (this.buf === undefined) {
          this.onFree = () => this.copyIn(chunk, i, done);
          return;
        }
      }
      const n = chunk.copy(this.buf, this.used, i);
      i += n;
      this.used += n;
      if (this.used === this.buf.length) this.send();
    }
    done();
  }

  private send(): void {
    const buf = this.buf!;
    const view = buf.subarray(0, this.used);
    this.buf = undefined;
    this.used = 0;
    this.gzip.write(view, (err?: Error | null) => {
      if (err) this.failed ??= err;
      this.free.push(buf);
      const wake = this.onFree;
      this.onFree = undefined;
      wake?.();
    });
  }
}

class Measure extends Transform {
  readonly hash = createHash("sha256");
  size = 0;
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.hash.update(chunk);
    this.size += chunk.length;
    done(null, chunk);
  }
}

/**
 * Archives `dir` into `dest` (written as a temp file in the same directory, then renamed).
 * Paths the filter ignores are left out, and so is everything below an ignored directory.
 */
export async function archiveDirectory(
  dir: string,
  dest: string,
  filter?: IgnoreMatcher,
): Promise<ArchiveResult> {
  const rootStat = await lstat(dir);
  if (!rootStat.isDirectory()) throw new Error(`invalid dir path: ${dir}`);
  return writeArchive(directoryEntries(dir, filter), dest);
}

/**
 * Writes `entries` (already in archive order) as a reproducible tar.gz at `dest`, through a temp
 * file in the same directory and a rename.
 */
export async function writeArchive(
  entries: AsyncIterable<ArchiveEntry>,
  dest: string,
): Promise<ArchiveResult> {
  const tmp = join(dirname(dest), `.${basename(dest)}.${randomBytes(6).toString("hex")}.tmp`);
  const pack = tarPack();
  const measure = new Measure();
  const gzip = createGzip({ level: 6 });
  try {
    await Promise.all([
      fill(pack, entries),
      pipeline(pack, new Deflater(gzip)),
      pipeline(gzip, measure, createWriteStream(tmp, { mode: 0o600 })),
    ]);
    await chmod(tmp, 0o600);
    await rename(tmp, dest);
  } catch (err) {
    pack.destroy();
    gzip.destroy();
    await rm(tmp, { force: true });
    throw err;
  }
  return { digest: `sha256:${measure.hash.digest("hex")}`, size: measure.size };
}

/** `sha256:<hex>` of a file already on disk, to verify stored artifacts. */
export async function digestFile(path: string): Promise<string> {
  const hash = createHash("sha256");
  await pipeline(createReadStream(path), hash);
  return `sha256:${hash.digest("hex")}`;
}
