/**
 * A work queue of keys with client-go semantics (workqueue.TypedRateLimitingInterface):
 * - the queue carries keys, never payloads; many adds of a waiting key coalesce into one entry;
 * - a key handed to a worker is "processing": it is never handed to a second worker, and an add
 *   while it is processing makes it run once more after {@link WorkQueue.done};
 * - {@link WorkQueue.addAfter} keeps one pending entry per key, the earliest wake-up winning;
 * - {@link WorkQueue.addRateLimited} delays by the per-key backoff, {@link WorkQueue.forget}
 *   resets it.
 * Deviations from client-go:
 * - handing a key to a worker drops its pending delayed add. The run reconciles the state as it
 *   is now and its own result schedules the next one; client-go keeps the earlier wake-up, so a
 *   retry scheduled while, say, a source was not ready yet reconciles once more after the event
 *   that made the object Ready (a moment of Ready=Unknown for nothing). Adds made while the key
 *   is processing are kept.
 * - after shutdown, `get` hands out no more keys (client-go drains the FIFO first); the next
 *   process relists everything anyway, and shutdown should be quick.
 */
import { realClock, type Clock } from "./clock.js";
import { DelaySet } from "./delay-set.js";
import { queueMetrics, type QueueMetricsRecorder } from "./metrics.js";
import { DEFAULT_BACKOFF, ExponentialRateLimiter, type RateLimiter } from "./rate-limiter.js";
import type { Registry } from "prom-client";

/** Construction options. */
export interface WorkQueueOptions {
  /** Queue name in metrics (the controller name). */
  readonly name: string;
  readonly clock?: Clock;
  readonly rateLimiter?: RateLimiter;
  /** Where `workqueue_*` metrics go; none when absent. */
  readonly registry?: Registry;
}

/** A rate-limited, delaying work queue of string keys. */
export class WorkQueue {
  private readonly fifo: string[] = [];
  private readonly dirty = new Set<string>();
  private readonly processing = new Map<string, number>();
  private readonly addedAt = new Map<string, number>();
  private readonly waiters: ((key: string | undefined) => void)[] = [];
  private readonly drainWaiters: (() => void)[] = [];
  private readonly delays: DelaySet;
  private readonly clock: Clock;
  private readonly limiter: RateLimiter;
  private readonly metrics: QueueMetricsRecorder;
  private shuttingDown = false;

  constructor(options: WorkQueueOptions) {
    this.clock = options.clock ?? realClock();
    this.limiter = options.rateLimiter ?? new ExponentialRateLimiter(DEFAULT_BACKOFF);
    this.metrics = queueMetrics(options.registry, options.name);
    this.metrics.setInFlightAges(() =>
      [...this.processing.values()].map((t) => (this.clock.now() - t) / 1000),
    );
    this.delays = new DelaySet(this.clock, (key) => this.add(key));
  }

  /** Marks `key` as needing work. */
  add(key: string): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    this.metrics.add();
    this.dirty.add(key);
    this.addedAt.set(key, this.clock.now());
    if (this.processing.has(key)) return;
    this.push(key);
  }

  /** Adds `key` after `delayMs`; an earlier pending wake-up for the key wins. */
  addAfter(key: string, delayMs: number): void {
    if (this.shuttingDown) return;
    if (delayMs <= 0) return this.add(key);
    this.delays.schedule(key, delayMs);
  }

  /** Adds `key` after its backoff delay, counting a retry. */
  addRateLimited(key: string): void {
    if (this.shuttingDown) return;
    this.metrics.retry();
    this.addAfter(key, this.limiter.when(key));
  }

  /** Resets `key`'s backoff (call after a success). */
  forget(key: string): void {
    this.limiter.forget(key);
  }

  /** Failures counted for `key`. */
  numRequeues(key: string): number {
    return this.limiter.numRequeues(key);
  }

  /** Waits for the next key; undefined once the queue is shut down. */
  get(): Promise<string | undefined> {
    if (this.shuttingDown) return Promise.resolve(undefined);
    const key = this.fifo.shift();
    if (key !== undefined) return Promise.resolve(this.startProcessing(key));
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Ends processing of `key`; a key added meanwhile goes back on the queue. */
  done(key: string): void {
    const started = this.processing.get(key);
    if (started === undefined) return;
    this.processing.delete(key);
    this.metrics.observeWorkDuration((this.clock.now() - started) / 1000);
    if (this.dirty.has(key) && !this.shuttingDown) this.push(key);
    if (this.processing.size === 0) this.drainWaiters.splice(0).forEach((w) => w());
  }

  /** Keys waiting to be handed out (not delayed, not processing). */
  len(): number {
    return this.fifo.length;
  }

  /** Keys waiting for a delayed add. */
  delayedLen(): number {
    return this.delays.size;
  }

  /** True while `key` is with a worker. */
  isProcessing(key: string): boolean {
    return this.processing.has(key);
  }

  /** True after shutdown. */
  isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  /** Stops handing out keys, drops pending and delayed keys, releases waiting `get`s. */
  shutdown(): void {
    if (this.shuttingDown) return;
    this.shuttingDown = true;
    this.delays.clear();
    this.fifo.splice(0);
    this.dirty.clear();
    this.metrics.setDepth(0);
    this.waiters.splice(0).forEach((w) => w(undefined));
    this.metrics.close();
  }

  /** {@link shutdown}, then resolves once every key being processed is done. */
  async shutdownWithDrain(): Promise<void> {
    this.shutdown();
    if (this.processing.size === 0) return;
    await new Promise<void>((resolve) => this.drainWaiters.push(resolve));
  }

  private push(key: string): void {
    const waiter = this.waiters.shift();
    if (waiter !== undefined) return waiter(this.startProcessing(key));
    this.fifo.push(key);
    this.metrics.setDepth(this.fifo.length);
  }

  private startProcessing(key: string): string {
    const now = this.clock.now();
    this.metrics.setDepth(this.fifo.length);
    this.metrics.observeQueueLatency((now - (this.addedAt.get(key) ?? now)) / 1000);
    this.addedAt.delete(key);
    this.dirty.delete(key);
    this.delays.cancel(key);
    this.processing.set(key, now);
    return key;
  }
}
