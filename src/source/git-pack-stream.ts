/**
 * Stores a pack as it arrives: every chunk is written to a temporary file straight away, each
 * object is inflated once with node:zlib as soon as its bytes are in, hashed for its oid (deltas
 * applied against bases from a small cache or read back from the file), and at the end the pack
 * is verified against its trailing checksum and moved into `objects/pack` with its version-2
 * index. Memory holds one object and the cache, never the pack.
 */
import { createHash, randomBytes } from "node:crypto";
import { type FileHandle, open, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { crc32, inflateSync } from "node:zlib";
import { type PackIndexEntry, writePackIndex } from "./git-pack-index.js";
import {
  type ExternalObjects,
  type GitObject,
  ObjectCache,
  outputChunk,
  type PackEntry,
  PackReader,
  parseEntry,
} from "./git-pack-reader.js";

const CACHE_BYTES = 4 * 1024 * 1024;
/** Longest entry header: type/size varint plus a REF_DELTA's oid. */
const MAX_HEADER = 32;
const MIN_READ = 64 * 1024;

/** What {@link storePack} wrote. */
export interface StoredPack {
  /** `pack-<sha>` (the `.pack` and `.idx` file names without extension). */
  readonly name: string;
  readonly objects: number;
}

/**
 * Pulls bytes from the source and writes each chunk to the file as it arrives. `buf` is a view of
 * an arrived chunk while an object lies inside one; only an object that straddles chunks is
 * copied, and then only up to the bytes asked for.
 */
class Incoming {
  private queue: Buffer[] = [];
  private queued = 0;
  private written = 0;
  private ended = false;
  /** Pack offset of `buf[0]`. */
  base = 0;
  buf: Buffer = Buffer.alloc(0);

  constructor(
    private readonly source: AsyncIterator<Uint8Array>,
    private readonly fh: FileHandle,
  ) {}

  get done(): boolean {
    return this.ended && this.queued === 0;
  }

  get exhausted(): boolean {
    return this.ended;
  }

  /** Makes `buf` hold at least `n` bytes (fewer only at the end of the stream). */
  async want(n: number): Promise<void> {
    while (this.buf.length + this.queued < n && !this.ended) await this.pull();
    if (this.buf.length >= n || this.queued === 0) return;
    if (this.buf.length === 0 && this.queue[0]!.length >= n) {
      this.buf = this.take(this.queue[0]!.length);
      return;
    }
    const parts = [this.buf];
    for (let need = n - this.buf.length; need > 0 && this.queued > 0;) {
      const part = this.take(Math.min(need, this.queue[0]!.length));
      parts.push(part);
      need -= part.length;
    }
    this.buf = Buffer.concat(parts);
  }

  /** Drops the first `n` bytes of `buf`. */
  consume(n: number): void {
    this.buf = this.buf.subarray(n);
    this.base += n;
  }

  private async pull(): Promise<void> {
    const r = await this.source.next();
    if (r.done === true) {
      this.ended = true;
      return;
    }
    const chunk = Buffer.from(r.value.buffer, r.value.byteOffset, r.value.byteLength);
    await this.fh.write(chunk, 0, chunk.length, this.written);
    this.written += chunk.length;
    this.queue.push(chunk);
    this.queued += chunk.length;
  }

  /** Takes `n` bytes (at most the first queued chunk) off the queue. */
  private take(n: number): Buffer {
    const head = this.queue[0]!;
    const part = head.subarray(0, n);
    if (n === head.length) this.queue.shift();
    else this.queue[0] = head.subarray(n);
    this.queued -= n;
    return part;
  }
}

/** At least the deflated size of `size` bytes (zlib's bound, loosened for stored blocks). */
function deflatedBound(size: number): number {
  return size + (size >> 10) + 64;
}

function truncated(err: unknown): boolean {
  return (err as { code?: string }).code === "Z_BUF_ERROR";
}

/** Inflates the entry at the start of `inc.buf`; returns the payload and the entry's length. */
async function inflateEntry(inc: Incoming, entry: PackEntry): Promise<{ payload: Buffer; length: number }> {
  await inc.want(entry.dataAt + deflatedBound(entry.size));
  for (;;) {
    try {
      const { buffer, engine } = inflateSync(inc.buf.subarray(entry.dataAt), {
        info: true,
        chunkSize: outputChunk(entry.size),
      }) as unknown as {
        buffer: Buffer;
        engine: { bytesWritten: number };
      };
      if (buffer.length !== entry.size)
        throw new Error(
          `corrupt pack: object at ${inc.base} inflates to ${buffer.length}, not ${entry.size}`,
        );
      return { payload: buffer, length: entry.dataAt + engine.bytesWritten };
    } catch (err) {
      if (!truncated(err) || inc.exhausted) throw err;
      await inc.want(Math.max(inc.buf.length * 2, MIN_READ));
    }
  }
}

function objectId(obj: GitObject): Buffer {
  return createHash("sha1").update(`${obj.type} ${obj.data.length}\0`).update(obj.data).digest();
}

interface Parsed {
  readonly offset: number;
  readonly crc: number;
  readonly end: number;
}

/**
 * Reads a pack from `source` into `packDir` (the repository's `objects/pack`); `external` finds
 * REF_DELTA bases that are not in the pack. Returns undefined for an empty stream.
 */
export async function storePack(
  source: AsyncIterable<Uint8Array>,
  packDir: string,
  external: ExternalObjects,
): Promise<StoredPack | undefined> {
  const tmp = join(packDir, `tmp-${randomBytes(6).toString("hex")}.pack`);
  const fh = await open(tmp, "w+");
  let moved = false;
  try {
    const inc = new Incoming(source[Symbol.asyncIterator](), fh);
    await inc.want(12);
    if (inc.buf.length === 0) return undefined;
    const count = packHeader(inc.buf);
    const hash = createHash("sha1").update(inc.buf.subarray(0, 12));
    inc.consume(12);
    if (count === 0) {
      await verifyTrailer(inc, hash.digest());
      return undefined;
    }
    const parsed = new Map<number, Parsed>();
    const byOid = new Map<string, number>();
    const layout = {
      end: (o: number) => parsed.get(o)?.end ?? Number.NaN,
      find: (oid: Uint8Array) => byOid.get(Buffer.from(oid).toString("hex")),
    };
    const cache = new ObjectCache(CACHE_BYTES);
    const reader = new PackReader({ name: "incoming pack", fh, layout, external, cache });
    const entries: PackIndexEntry[] = [];
    const deferred: Parsed[] = [];
    for (let i = 0; i < count; i++) {
      await inc.want(MAX_HEADER);
      if (inc.buf.length === 0) throw new Error(`pack truncated after ${i} of ${count} objects`);
      const offset = inc.base;
      const entry = parseEntry(inc.buf, offset);
      const { payload, length } = await inflateEntry(inc, entry);
      const raw = inc.buf.subarray(0, length);
      const p = { offset, crc: crc32(raw), end: offset + length };
      hash.update(raw);
      parsed.set(offset, p);
      inc.consume(length);
      const obj = await reader.build(entry, payload, 0).catch((err: unknown) => {
        if (entry.baseOid === undefined || !(err instanceof Error && err.name === "MissingObjectError"))
          throw err;
        return undefined;
      });
      if (obj === undefined) {
        deferred.push(p);
        continue;
      }
      const oid = objectId(obj);
      entries.push({ oid, offset, crc: p.crc });
      byOid.set(oid.toString("hex"), offset);
      reader.remember(offset, obj);
    }
    await resolveDeferred(deferred, reader, entries, byOid);
    const trailer = await verifyTrailer(inc, hash.digest());
    await fh.close();
    const name = `pack-${trailer.toString("hex")}`;
    await rename(tmp, join(packDir, `${name}.pack`));
    moved = true;
    const idxTmp = join(packDir, `tmp-${randomBytes(6).toString("hex")}.idx`);
    await writeFile(idxTmp, writePackIndex(entries, trailer));
    await rename(idxTmp, join(packDir, `${name}.idx`));
    return { name, objects: count };
  } finally {
    await fh.close().catch(() => undefined);
    if (!moved) await rm(tmp, { force: true });
  }
}

/** Checks the pack's trailing checksum and that nothing follows it; returns the checksum. */
async function verifyTrailer(inc: Incoming, digest: Buffer): Promise<Buffer> {
  await inc.want(20);
  const trailer = Buffer.from(inc.buf.subarray(0, 20));
  if (trailer.length !== 20 || !trailer.equals(digest))
    throw new Error("pack checksum mismatch: the transfer was corrupted");
  inc.consume(20);
  await inc.want(1);
  if (inc.buf.length > 0 || !inc.done) throw new Error("unexpected data after the pack");
  return trailer;
}

function packHeader(buf: Buffer): number {
  if (buf.length < 12 || buf.subarray(0, 4).toString("latin1") !== "PACK")
    throw new Error("the git server did not send a pack");
  const version = buf.readUInt32BE(4);
  if (version !== 2 && version !== 3) throw new Error(`unsupported pack version ${version}`);
  return buf.readUInt32BE(8);
}

/** REF_DELTAs whose base came later in the pack: resolve them now that every object is in. */
async function resolveDeferred(
  deferred: Parsed[],
  reader: PackReader,
  entries: PackIndexEntry[],
  byOid: Map<string, number>,
): Promise<void> {
  let pending = deferred;
  while (pending.length > 0) {
    const next: Parsed[] = [];
    for (const p of pending) {
      const obj = await reader.at(p.offset).catch(() => undefined);
      if (obj === undefined) {
        next.push(p);
        continue;
      }
      const oid = objectId(obj);
      entries.push({ oid, offset: p.offset, crc: p.crc });
      byOid.set(oid.toString("hex"), p.offset);
    }
    if (next.length === pending.length)
      throw new Error(`pack has ${next.length} deltas whose base is missing`);
    pending = next;
  }
}
