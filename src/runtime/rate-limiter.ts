/**
 * Client-side rate limiting of API requests, client-go's token bucket (`--kube-api-qps`,
 * `--kube-api-burst`): `burst` requests may go at once, then `qps` per second. Waiters are served
 * in arrival order, so one Kustomization with thousands of objects queues behind the requests
 * other reconciles already asked for instead of taking every token (and the API server is not
 * pushed into HTTP/2 `ENHANCE_YOUR_CALM`).
 */

/** Tokens per second and bucket size. */
export interface RateLimit {
  readonly qps: number;
  readonly burst: number;
}

interface Waiter {
  readonly resolve: () => void;
  readonly reject: (err: unknown) => void;
  readonly signal: AbortSignal | undefined;
  readonly onAbort: () => void;
}

/** A FIFO token bucket; `now` is injectable for tests. */
export class TokenBucket {
  private tokens: number;
  private last: number;
  private readonly queue: Waiter[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;

  /** `onWait` hears how long each request waited for its token (seconds, 0 for none). */
  constructor(
    readonly limit: RateLimit,
    private readonly now: () => number = () => performance.now(),
    private readonly onWait: (seconds: number) => void = () => undefined,
  ) {
    if (!(limit.qps > 0) || !Number.isInteger(limit.burst) || limit.burst < 1)
      throw new RangeError(
        `rate limit needs qps > 0 and an integer burst >= 1, got ${JSON.stringify(limit)}`,
      );
    this.tokens = limit.burst;
    this.last = this.now();
  }

  /** Requests waiting for a token. */
  get waiting(): number {
    return this.queue.length;
  }

  /** Resolves when a token is taken; rejects with the signal's reason if it aborts first. */
  take(signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    this.refill();
    if (this.queue.length === 0 && this.tokens >= 1) {
      this.tokens -= 1;
      this.onWait(0);
      return Promise.resolve();
    }
    const queued = this.now();
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        resolve: () => {
          this.onWait((this.now() - queued) / 1000);
          resolve();
        },
        reject,
        signal,
        onAbort: () => {
          const i = this.queue.indexOf(waiter);
          if (i !== -1) this.queue.splice(i, 1);
          reject(signal?.reason instanceof Error ? signal.reason : new Error("rate limiter wait aborted"));
        },
      };
      signal?.addEventListener("abort", waiter.onAbort, { once: true });
      this.queue.push(waiter);
      this.schedule();
    });
  }

  private refill(): void {
    const now = this.now();
    this.tokens = Math.min(this.limit.burst, this.tokens + ((now - this.last) / 1000) * this.limit.qps);
    this.last = now;
  }

  /** Serves waiters in order as tokens arrive; one timer at a time. */
  private schedule(): void {
    if (this.timer !== undefined) return;
    this.refill();
    while (this.queue.length > 0 && this.tokens >= 1) {
      this.tokens -= 1;
      const w = this.queue.shift() as Waiter;
      w.signal?.removeEventListener("abort", w.onAbort);
      w.resolve();
    }
    if (this.queue.length === 0) return;
    const waitMs = ((1 - this.tokens) / this.limit.qps) * 1000;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.schedule();
      },
      Math.max(1, Math.ceil(waitMs)),
    );
    // A process with nothing else to do may exit while requests wait: they were abandoned anyway.
    this.timer.unref?.();
  }
}
