/**
 * Objects of one pack file, read with positional reads and inflated with node:zlib, deltas
 * applied against their bases (kept in a small LRU, read again from the file when evicted).
 */
import type { FileHandle } from "node:fs/promises";
import { inflateSync } from "node:zlib";
import { applyDelta } from "./git-delta.js";
import type { ObjectCache } from "./git-object-cache.js";

export { ObjectCache } from "./git-object-cache.js";

/** The four object kinds. */
export type ObjectType = "commit" | "tree" | "blob" | "tag";

/** One object's kind and content. */
export interface GitObject {
  readonly type: ObjectType;
  readonly data: Buffer;
}

/** What a pack entry's header says. */
export interface PackEntry {
  /** 1–4 for whole objects, 6 (OFS_DELTA) or 7 (REF_DELTA). */
  readonly kind: number;
  /** Inflated size of the object (or of the delta). */
  readonly size: number;
  /** Where the deflated bytes start, relative to the entry. */
  readonly dataAt: number;
  readonly baseOffset?: number;
  readonly baseOid?: Buffer;
}

/** Where objects of the pack start and end, and which oid is where. */
export interface PackLayout {
  end(offset: number): number;
  find(oid: Uint8Array): number | undefined;
}

/** Finds an object outside this pack (REF_DELTA bases). */
export type ExternalObjects = (oid: Buffer, depth: number) => Promise<GitObject>;

const TYPES: Readonly<Record<number, ObjectType>> = { 1: "commit", 2: "tree", 3: "blob", 4: "tag" };
const OFS_DELTA = 6;
const REF_DELTA = 7;
const MAX_DELTA_DEPTH = 10_000;
const MAX_OUTPUT_CHUNK = 16 * 1024 * 1024;
/** Entries up to this size are read into the reader's scratch buffer instead of a new one. */
const SCRATCH_BYTES = 1024 * 1024;

/**
 * zlib's output chunk for an object of `size` bytes: one allocation that holds it all, with a byte
 * to spare so the end of the stream is seen without another chunk (zlib's smallest chunk is 64).
 * Capped, so a size claimed by a corrupt header is not allocated up front.
 */
export function outputChunk(size: number): number {
  return Math.min(Math.max(size + 1, 64), MAX_OUTPUT_CHUNK);
}

/** Inflates `deflated` and checks it yields `size` bytes. */
export function inflateExact(deflated: Uint8Array, size: number, what: string): Buffer {
  const out = inflateSync(deflated, { chunkSize: outputChunk(size) });
  if (out.length !== size)
    throw new Error(`corrupt ${what}: inflated ${out.length} bytes, header says ${size}`);
  return out;
}

/** Parses the entry header at the start of `raw` (the entry at pack offset `offset`). */
export function parseEntry(raw: Uint8Array, offset: number): PackEntry {
  let c = raw[0]!;
  const kind = (c >> 4) & 7;
  let size = c & 15;
  let shift = 4;
  let i = 1;
  while (c & 0x80) {
    if (i >= raw.length) throw new Error("corrupt pack: truncated object header");
    c = raw[i++]!;
    size += (c & 0x7f) * 2 ** shift;
    shift += 7;
  }
  if (kind === REF_DELTA) {
    if (i + 20 > raw.length) throw new Error("corrupt pack: truncated delta base");
    return { kind, size, dataAt: i + 20, baseOid: Buffer.from(raw.subarray(i, i + 20)) };
  }
  if (kind !== OFS_DELTA) {
    if (TYPES[kind] === undefined) throw new Error(`corrupt pack: object type ${kind} at ${offset}`);
    return { kind, size, dataAt: i };
  }
  const { distance, next } = baseDistance(raw, i);
  if (distance <= 0 || distance > offset)
    throw new Error(`corrupt pack: delta base out of range at ${offset}`);
  return { kind, size, dataAt: next, baseOffset: offset - distance };
}

/** An OFS_DELTA's distance back to its base (git's offset encoding), read from `start`. */
function baseDistance(raw: Uint8Array, start: number): { distance: number; next: number } {
  let i = start;
  let c = raw[i++]!;
  let distance = c & 0x7f;
  while (c & 0x80) {
    if (i >= raw.length) throw new Error("corrupt pack: truncated delta base offset");
    c = raw[i++]!;
    distance = (distance + 1) * 128 + (c & 0x7f);
  }
  return { distance, next: i };
}

/** What a {@link PackReader} reads from. */
export interface PackSource {
  /** Names the pack in errors and cache keys. */
  readonly name: string;
  readonly fh: FileHandle;
  readonly layout: PackLayout;
  readonly external: ExternalObjects;
  readonly cache: ObjectCache;
}

/** Reads the objects of one pack. */
export class PackReader {
  readonly name: string;
  private readonly fh: FileHandle;
  private readonly layout: PackLayout;
  private readonly external: ExternalObjects;
  private readonly cache: ObjectCache;
  private scratch: Buffer | undefined;
  private scratchBusy = false;

  constructor(src: PackSource) {
    ({ name: this.name, fh: this.fh, layout: this.layout, external: this.external, cache: this.cache } = src);
  }

  /** The object whose entry starts at `offset`. */
  async at(offset: number, depth = 0): Promise<GitObject> {
    if (depth > MAX_DELTA_DEPTH) throw new Error(`delta chain in ${this.name} too deep`);
    const key = `${this.name}:${offset}`;
    const cached = this.cache.get(key);
    if (cached !== undefined) return cached;
    const { entry, payload } = await this.inflateAt(offset);
    const obj = await this.build(entry, payload, depth);
    if (depth > 0) this.cache.set(key, obj);
    return obj;
  }

  /**
   * Reads the entry at `offset` and inflates it. The deflated bytes go into a scratch buffer kept
   * across calls (they are garbage once inflated); a call that finds it in use, or a larger entry,
   * reads into a buffer of its own.
   */
  private async inflateAt(offset: number): Promise<{ entry: PackEntry; payload: Buffer }> {
    const length = this.layout.end(offset) - offset;
    const shared = length <= SCRATCH_BYTES && !this.scratchBusy;
    const raw = shared
      ? (this.scratch ??= Buffer.allocUnsafe(SCRATCH_BYTES)).subarray(0, length)
      : Buffer.allocUnsafe(length);
    this.scratchBusy ||= shared;
    try {
      const { bytesRead } = await this.fh.read(raw, 0, raw.length, offset);
      if (bytesRead !== raw.length) throw new Error(`corrupt pack ${this.name}: short read at ${offset}`);
      const entry = parseEntry(raw, offset);
      return { entry, payload: inflateExact(raw.subarray(entry.dataAt), entry.size, `pack ${this.name}`) };
    } finally {
      if (shared) this.scratchBusy = false;
    }
  }

  /** The object of `entry`, whose inflated payload is `payload` (a delta is applied to its base). */
  async build(entry: PackEntry, payload: Buffer, depth: number): Promise<GitObject> {
    const type = TYPES[entry.kind];
    if (type !== undefined) return { type, data: payload };
    let base: GitObject;
    if (entry.baseOffset !== undefined) {
      base = await this.at(entry.baseOffset, depth + 1);
    } else {
      const inPack = this.layout.find(entry.baseOid!);
      base =
        inPack === undefined
          ? await this.external(entry.baseOid!, depth + 1)
          : await this.at(inPack, depth + 1);
    }
    return { type: base.type, data: applyDelta(base.data, payload) };
  }

  /** Keeps `obj` (at `offset`) as a likely delta base. */
  remember(offset: number, obj: GitObject): void {
    this.cache.set(`${this.name}:${offset}`, obj);
  }
}
