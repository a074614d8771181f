/**
 * Runs a controller's reconciles: N concurrent workers (p-queue) pulling keys from a
 * {@link WorkQueue}, turning each {@link Result} into queue operations the way controller-runtime
 * does (success forgets the backoff, `requeue-after` forgets and re-adds later, failures go
 * through the rate limiter), always ending with `done` so a key added meanwhile runs again.
 */
import PQueue from "p-queue";
import type { Result } from "../reconciler.js";
import type { WorkQueue } from "./work-queue.js";

/** Processes one key; `signal` aborts on shutdown, timeout or supersede. */
export type KeyHandler = (key: string, signal: AbortSignal) => Promise<Result>;

/** Pool options. */
export interface WorkerPoolOptions {
  readonly queue: WorkQueue;
  /** Concurrent reconciles (`--concurrent`, default 4). */
  readonly concurrency: number;
  readonly handle: KeyHandler;
  /** Per-reconcile deadline; none when absent. */
  readonly timeoutMs?: number;
  /** Called with errors the handler threw or returned as backoff (for logging). */
  readonly onError?: (key: string, error: unknown) => void;
}

/** Why a reconcile's signal was aborted. */
export class ReconcileAbortedError extends Error {
  override readonly name = "ReconcileAbortedError";
}

/** A started pool of workers over one queue. */
export class WorkerPool {
  private readonly pq: PQueue;
  private readonly inFlight = new Map<string, AbortController>();
  private readonly stopping = new AbortController();
  private loop: Promise<void> | undefined;

  constructor(private readonly options: WorkerPoolOptions) {
    this.pq = new PQueue({ concurrency: Math.max(1, options.concurrency) });
  }

  /** Starts pulling keys. */
  start(): void {
    this.loop ??= this.run();
  }

  /** Keys being reconciled right now. */
  get active(): number {
    return this.pq.pending;
  }

  /** Aborts the in-flight reconcile of `key`, if any (a newer request superseded it). */
  supersede(key: string): void {
    this.inFlight.get(key)?.abort(new ReconcileAbortedError(`reconcile of ${key} superseded`));
  }

  /**
   * Stops handing out keys and waits for in-flight reconciles. With `abort`, their signals are
   * aborted first so they can stop early.
   */
  async stop(abort = false): Promise<void> {
    if (abort) this.stopping.abort(new ReconcileAbortedError("controller shutting down"));
    await this.options.queue.shutdownWithDrain();
    await this.loop;
    await this.pq.onIdle();
  }

  private async run(): Promise<void> {
    const { queue } = this.options;
    for (;;) {
      await this.capacity();
      const key = await queue.get();
      if (key === undefined) return;
      void this.pq.add(() => this.process(key));
    }
  }

  private async capacity(): Promise<void> {
    while (this.pq.pending + this.pq.size >= this.pq.concurrency) {
      await new Promise<void>((resolve) => this.pq.once("next", () => resolve()));
    }
  }

  private async process(key: string): Promise<void> {
    const { queue, handle } = this.options;
    const controller = new AbortController();
    this.inFlight.set(key, controller);
    const signals = [controller.signal, this.stopping.signal];
    if (this.options.timeoutMs !== undefined) signals.push(AbortSignal.timeout(this.options.timeoutMs));
    try {
      this.apply(key, await handle(key, AbortSignal.any(signals)));
    } catch (error) {
      this.apply(key, { kind: "backoff", error });
    } finally {
      this.inFlight.delete(key);
      queue.done(key);
    }
  }

  private apply(key: string, result: Result): void {
    const { queue } = this.options;
    switch (result.kind) {
      case "done":
        return queue.forget(key);
      case "requeue-after":
        queue.forget(key);
        return queue.addAfter(key, result.afterMs);
      case "requeue":
        return queue.addRateLimited(key);
      case "backoff":
        this.options.onError?.(key, result.error);
        return queue.addRateLimited(key);
    }
  }
}
