/**
 * Keys waiting for a wake-up time (client-go's delaying queue): one entry per key, the earliest
 * wake-up wins, one timer armed for the soonest entry.
 */
import type { Clock, TimerHandle } from "./clock.js";

/** Pending delayed adds. */
export class DelaySet {
  private readonly readyAt = new Map<string, number>();
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
    this.arm();
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
    this.disarm();
  }

  private arm(): void {
    const soonest = Math.min(...this.readyAt.values());
    if (soonest >= this.timerAt) return;
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
    const due = [...this.readyAt].filter(([, at]) => at <= now).sort((a, b) => a[1] - b[1]);
    for (const [key] of due) this.readyAt.delete(key);
    if (this.readyAt.size > 0) this.arm();
    for (const [key] of due) this.onReady(key);
  }
}
