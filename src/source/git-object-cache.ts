/**
 * A byte-bounded cache of git objects (delta bases) whose bytes live in one buffer used as a ring:
 * each object is copied in at the write position, and the oldest entries are dropped as the ring
 * comes round over them. Objects handed to it can then die young, where V8 frees them at the next
 * scavenge, instead of being promoted while cached and waiting, as garbage, for a full collection.
 */
import type { GitObject, ObjectType } from "./git-pack-reader.js";

interface Slot {
  readonly type: ObjectType;
  readonly start: number;
  readonly length: number;
}

/** First-in first-out cache of objects by key, within `limit` bytes. */
export class ObjectCache {
  /** Insertion order is ring order: the first slot is the oldest. */
  private readonly slots = new Map<string, Slot>();
  private ring: Buffer | undefined;
  private at = 0;

  constructor(private readonly limit: number) {}

  /** A copy of the cached object (the ring is overwritten later, so no view of it leaves). */
  get(key: string): GitObject | undefined {
    const slot = this.slots.get(key);
    if (slot === undefined || this.ring === undefined) return undefined;
    return { type: slot.type, data: Buffer.from(this.ring.subarray(slot.start, slot.start + slot.length)) };
  }

  /** Copies `obj` in; objects over a quarter of the limit are not kept. */
  set(key: string, obj: GitObject): void {
    const n = obj.data.length;
    if (n > this.limit / 4 || this.slots.has(key)) return;
    this.ring ??= Buffer.allocUnsafe(this.limit);
    if (this.at + n > this.limit) {
      this.evictWhile((s) => s.start >= this.at);
      this.at = 0;
    }
    const end = this.at + n;
    // The oldest slots are the previous lap's, from `at` on; the current lap's lie before `at`.
    this.evictWhile((s) => s.start >= this.at && s.start < end);
    obj.data.copy(this.ring, this.at);
    this.slots.set(key, { type: obj.type, start: this.at, length: n });
    this.at = end;
  }

  clear(): void {
    this.slots.clear();
    this.ring = undefined;
    this.at = 0;
  }

  /** Drops the oldest slots while `pred` holds for the oldest. */
  private evictWhile(pred: (s: Slot) => boolean): void {
    for (const [key, slot] of this.slots) {
      if (!pred(slot)) return;
      this.slots.delete(key);
    }
  }
}
