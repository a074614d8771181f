/**
 * Git pack index files, version 2 (`objects/pack/pack-<sha>.idx`): reading (oid → offset in the
 * pack) and writing (for packs this controller fetched itself).
 */
import { createHash } from "node:crypto";

const MAGIC = Buffer.from([0xff, 0x74, 0x4f, 0x63]);
const FANOUT = 256 * 4;
const HEADER = 8 + FANOUT;

/** One object of a pack, for {@link writePackIndex}. */
export interface PackIndexEntry {
  readonly oid: Buffer;
  readonly offset: number;
  readonly crc: number;
}

/** A parsed version-2 pack index. */
export class PackIndex {
  /** Every object's offset, ascending: the object at `o` ends where the next one starts. */
  private readonly sorted: Float64Array;

  private constructor(
    private readonly buf: Buffer,
    readonly count: number,
    private readonly offsets: Float64Array,
  ) {
    this.sorted = Float64Array.from(offsets).sort();
  }

  /** Parses an index file's bytes; throws on anything but version 2. */
  static parse(buf: Buffer): PackIndex {
    if (buf.length < HEADER + 40 || !buf.subarray(0, 4).equals(MAGIC) || buf.readUInt32BE(4) !== 2)
      throw new Error("unsupported git pack index (only version 2 is read)");
    const count = buf.readUInt32BE(8 + 255 * 4);
    const offTable = HEADER + count * 24;
    const largeTable = offTable + count * 4;
    const offsets = new Float64Array(count);
    for (let i = 0; i < count; i++) {
      const v = buf.readUInt32BE(offTable + i * 4);
      offsets[i] = v & 0x80000000 ? Number(buf.readBigUInt64BE(largeTable + (v & 0x7fffffff) * 8)) : v;
    }
    return new PackIndex(buf, count, offsets);
  }

  /** The pack offset of `oid` (20 raw bytes), or undefined when this pack lacks it. */
  find(oid: Uint8Array): number | undefined {
    const first = oid[0]!;
    let lo = first === 0 ? 0 : this.buf.readUInt32BE(8 + (first - 1) * 4);
    let hi = this.buf.readUInt32BE(8 + first * 4);
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const at = HEADER + mid * 20;
      const cmp = Buffer.compare(this.buf.subarray(at, at + 20), oid);
      if (cmp === 0) return this.offsets[mid];
      if (cmp < 0) lo = mid + 1;
      else hi = mid;
    }
    return undefined;
  }

  /** Where the object starting at `offset` ends, given the pack's size (its trailer excluded). */
  end(offset: number, packSize: number): number {
    let lo = 0;
    let hi = this.sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.sorted[mid]! <= offset) lo = mid + 1;
      else hi = mid;
    }
    return lo < this.sorted.length ? this.sorted[lo]! : packSize - 20;
  }
}

/** Serialises a version-2 index of `entries` for the pack whose trailing checksum is `packSha`. */
export function writePackIndex(entries: readonly PackIndexEntry[], packSha: Uint8Array): Buffer {
  const sorted = [...entries].sort((a, b) => Buffer.compare(a.oid, b.oid));
  const n = sorted.length;
  const large = sorted.filter((e) => e.offset >= 0x80000000);
  const out = Buffer.alloc(HEADER + n * 28 + large.length * 8 + 40);
  MAGIC.copy(out, 0);
  out.writeUInt32BE(2, 4);
  const fanout = new Uint32Array(256);
  for (const e of sorted) fanout[e.oid[0]!]!++;
  let total = 0;
  for (let b = 0; b < 256; b++) out.writeUInt32BE((total += fanout[b]!), 8 + b * 4);
  let largeAt = 0;
  sorted.forEach((e, i) => {
    e.oid.copy(out, HEADER + i * 20);
    out.writeUInt32BE(e.crc >>> 0, HEADER + n * 20 + i * 4);
    const small = e.offset < 0x80000000;
    out.writeUInt32BE(small ? e.offset : (0x80000000 | largeAt) >>> 0, HEADER + n * 24 + i * 4);
    if (!small) out.writeBigUInt64BE(BigInt(e.offset), HEADER + n * 28 + largeAt++ * 8);
  });
  const tail = HEADER + n * 28 + large.length * 8;
  Buffer.from(packSha).copy(out, tail);
  createHash("sha1")
    .update(out.subarray(0, tail + 20))
    .digest()
    .copy(out, tail + 20);
  return out;
}
