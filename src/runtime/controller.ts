/**
 * One controller: a work queue, its workers, and the reconciler they call, with the per-reconcile
 * plumbing every controller needs (a reconcileID, a child logger with Flux's keys, an AbortSignal,
 * `gotk_reconcile_duration_seconds`, logging of failures). Watches connect informers to the queue
 * through predicates.
 */
import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import type { Registry } from "prom-client";
import type { Informer } from "./informer/informer.js";
import { enqueueHandler, type EnqueueOptions } from "./informer/predicates.js";
import type { InformerHandler, MetaObject } from "./informer/types.js";
import { reconcileLogger } from "./logging.js";
import { ReconcileMetrics } from "./metrics.js";
import { keyOf, parseKey, type Reconciler, type Result } from "./reconciler.js";
import type { Clock } from "./queue/clock.js";
import { DEFAULT_BACKOFF, ExponentialRateLimiter, type BackoffOptions } from "./queue/rate-limiter.js";
import { WorkQueue } from "./queue/work-queue.js";
import { WorkerPool } from "./queue/worker-pool.js";
import { classifyError } from "./errors.js";

/** Controller settings. */
export interface ControllerOptions {
  /** Lower-case controller name (`gitrepository`), used in logs and queue metrics. */
  readonly name: string;
  /** Kind reconciled (`GitRepository`), used in logs and reconcile metrics. */
  readonly kind: string;
  readonly reconciler: Reconciler;
  /** `--concurrent` (default 4). */
  readonly concurrency?: number;
  /** Per-reconcile deadline (the signal aborts); none when absent. */
  readonly timeoutMs?: number;
  /** `--min-retry-delay` / `--max-retry-delay`. */
  readonly backoff?: BackoffOptions;
  readonly log: Logger;
  readonly registry?: Registry;
  readonly clock?: Clock;
}

/** Options of {@link Controller.watch}. */
export type WatchOptions<T> = Omit<EnqueueOptions<T>, "enqueue">;

/** A registered controller. */
export class Controller {
  readonly queue: WorkQueue;
  readonly informers: Informer<MetaObject>[] = [];
  private readonly pool: WorkerPool;
  private readonly metrics: ReconcileMetrics | undefined;

  constructor(readonly options: ControllerOptions) {
    this.queue = new WorkQueue({
      name: options.name,
      rateLimiter: new ExponentialRateLimiter(options.backoff ?? DEFAULT_BACKOFF),
      ...(options.clock ? { clock: options.clock } : {}),
      ...(options.registry ? { registry: options.registry } : {}),
    });
    this.metrics = options.registry ? new ReconcileMetrics(options.registry) : undefined;
    this.pool = new WorkerPool({
      queue: this.queue,
      concurrency: options.concurrency ?? 4,
      handle: (key, signal) => this.reconcileKey(key, signal),
      onError: (key, error) => this.logFailure(key, error),
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    });
  }

  /**
   * Enqueues keys for `informer`'s events that pass `options.predicate` (own kind by default;
   * `mapToKeys` for related kinds). Deletes of the own kind also drop the object's metrics.
   */
  watch<T extends MetaObject>(informer: Informer<T>, options: WatchOptions<T> = {}): void {
    this.informers.push(informer as unknown as Informer<MetaObject>);
    const ownKind = options.mapToKeys === undefined;
    informer.addHandler(
      enqueueHandler<T>({
        ...options,
        enqueue: (key) => this.queue.add(key),
        onDelete: (obj, info) => {
          if (ownKind) this.metrics?.deleteObject(this.options.kind, parseKey(keyOf(obj)));
          options.onDelete?.(obj, info);
        },
      }),
    );
  }

  /**
   * Registers an informer whose events `handler` maps to keys itself, for mappings that need more
   * than {@link watch} offers (the old and new object, several keys, a superseded wait). The
   * informer joins this controller's cache-sync gate like any watched one; the handler, like every
   * handler, only decides and enqueues.
   */
  watchWith<T extends MetaObject>(informer: Informer<T>, handler: InformerHandler<T>): void {
    this.informers.push(informer as unknown as Informer<MetaObject>);
    informer.addHandler(handler);
  }

  /** Requests a reconcile of `key` (`namespace/name`). */
  enqueue(key: string): void {
    this.queue.add(key);
  }

  /** Requests a reconcile of `key` in `delayMs` (one pending entry per key, the earliest wins). */
  enqueueAfter(key: string, delayMs: number): void {
    this.queue.addAfter(key, delayMs);
  }

  /**
   * Aborts the in-flight reconcile of `key` (its signal fires) because newer input superseded it,
   * e.g. a new source revision arrived during a long health check; the key should be enqueued too.
   */
  supersede(key: string): void {
    this.pool.supersede(key);
  }

  /** Starts the workers. */
  start(): void {
    this.pool.start();
  }

  /** Reconciles in flight right now. */
  get active(): number {
    return this.pool.active;
  }

  /** Stops taking keys and waits for in-flight reconciles; `abort` signals them to stop early. */
  stop(abort = false): Promise<void> {
    return this.pool.stop(abort);
  }

  private async reconcileKey(key: string, signal: AbortSignal): Promise<Result> {
    const objectKey = parseKey(key);
    const reconcileID = randomUUID();
    const log = reconcileLogger(this.options.log, {
      controller: this.options.name,
      controllerKind: this.options.kind,
      ...objectKey,
      reconcileID,
    });
    const started = performance.now();
    try {
      return await this.options.reconciler.reconcile(objectKey, {
        log,
        signal,
        reconcileID,
        now: () => new Date(this.options.clock?.now() ?? Date.now()),
      });
    } finally {
      this.metrics?.recordDuration(this.options.kind, objectKey, (performance.now() - started) / 1000);
    }
  }

  private logFailure(key: string, error: unknown): void {
    const { namespace, name } = parseKey(key);
    const failure = classifyError(error);
    this.options.log.error(
      {
        controller: this.options.name,
        controllerKind: this.options.kind,
        namespace,
        name,
        error: failure.message,
        reason: failure.reason,
      },
      "Reconciler error",
    );
  }
}
