/**
 * Keys waiting for a wake-up time (client-go's delaying queue): one entry per key, the earliest
 * wake-up wins, one timer armed for the soonest entry.
 *
 * A binary min-heap orders the wake-ups, so scheduling is O(log n) however many keys wait (a
 * controller with 5,000 objects has 5,000 periodic requeues pending). Rescheduled and cancelled
 * keys leave stale heap entries behind, skipped when they surface and compacted away when they
 * outnumber the live ones.
 */
import type { Clock, TimerHandle } from "./clock.js";

interface Entry {
  readonly key: string;
  readonly at: number;
}

/** Pending delayed adds. */
export class DelaySet {
  private readonly readyAt = new Map<string, number>();
  private heap: Entry[] = [];
  private timer: TimerHandle | undefined;
  private timerAt = Infinity;

  constructor(
    private readonly clock: Clock,
    private readonly onReady: (key: string) => void,
  ) {}

  /** Schedules `key` at now + `delayMs`, unless it is already scheduled earlier. */
  schedule(key: string, delayMs: number): void {
    const at = this.clock.now() + delayMs;
    const existing = this.readyAt.get(key);
    if (existing !== undefined && existing <= at) return;
    this.readyAt.set(key, at);
    this.push({ key, at });
    if (this.heap.length > 2 * this.readyAt.size + 1024) this.compact();
    this.arm();
  }

  /** Drops `key`'s pending wake-up, if any. */
  cancel(key: string): void {
    this.readyAt.delete(key);
  }

  /** Number of waiting keys. */
  get size(): number {
    return this.readyAt.size;
  }

  /** When `key` is due, if it waits. */
  dueAt(key: string): number | undefined {
    return this.readyAt.get(key);
  }

  /** Drops every waiting key and the timer. */
  clear(): void {
    this.readyAt.clear();
    this.heap = [];
    this.disarm();
  }

  /** Arms the timer for the soonest live entry, unless it is armed for that time or earlier. */
  private arm(): void {
    const soonest = this.peekLive()?.at;
    if (soonest === undefined || soonest >= this.timerAt) return;
    this.disarm();
    this.timerAt = soonest;
    this.timer = this.clock.setTimer(() => this.fire(), soonest - this.clock.now());
  }

  private disarm(): void {
    if (this.timer !== undefined) this.clock.clearTimer(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
  }

  private fire(): void {
    this.timer = undefined;
    this.timerAt = Infinity;
    const now = this.clock.now();
    const due: string[] = [];
    for (let top = this.peekLive(); top !== undefined && top.at <= now; top = this.peekLive()) {
      this.pop();
      this.readyAt.delete(top.key);
      due.push(top.key);
    }
    this.arm();
    for (const key of due) this.onReady(key);
  }

  /** The soonest entry that is still the key's wake-up, dropping stale ones above it. */
  private peekLive(): Entry | undefined {
    for (let top = this.heap[0]; top !== undefined; top = this.heap[0]) {
      if (this.readyAt.get(top.key) === top.at) return top;
      this.pop();
    }
    return undefined;
  }

  private compact(): void {
    this.heap = [];
    for (const [key, at] of this.readyAt) this.push({ key, at });
  }

  private push(entry: Entry): void {
    const h = this.heap;
    h.push(entry);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = h[parent] as Entry;
      if (p.at <= entry.at) break;
      h[i] = p;
      i = parent;
    }
    h[i] = entry;
  }

  private pop(): void {
    const h = this.heap;
    const last = h.pop();
    if (last === undefined || h.length === 0) return;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= h.length) break;
      const right = left + 1;
      const l = h[left] as Entry;
      const r = h[right];
      const child = r !== undefined && r.at < l.at ? right : left;
      const c = h[child] as Entry;
      if (c.at >= last.at) break;
      h[i] = c;
      i = child;
    }
    h[i] = last;
  }
}
