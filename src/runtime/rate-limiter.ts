/**
 * Client-side rate limiting of API requests, client-go's token bucket (`--kube-api-qps`,
 * `--kube-api-burst`): `burst` requests may go at once, then `qps` per second. Waiters are served
 * in arrival order, so one Kustomization with thousands of objects queues behind the requests
 * other reconciles already asked for instead of taking every token (and the API server is not
 * pushed into HTTP/2 `ENHANCE_YOUR_CALM`).
 *
 * One bucket per API resource, as in Flux: controller-runtime builds one REST client per kind,
 * and client-go gives each REST client its own token bucket from the config's QPS and burst, so a
 * Flux controller may send `qps` ConfigMap requests and `qps` Deployment requests in the same
 * second. A single bucket for the process would make a Kustomization of ConfigMaps, Services and
 * Deployments three times slower than Flux at the same flags, and let it delay the status writes
 * of unrelated GitRepositories.
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

/**
 * The bucket a request path draws from: its group, version and resource (`v1/configmaps`,
 * `apps/v1/deployments`), whatever the namespace, name or subresource; discovery and other
 * non-resource paths share one.
 */
export function rateLimitKey(path: string): string {
  const parts = path
    .split("?")[0]!
    .split("/")
    .filter((p) => p !== "");
  const prefix = parts[0] === "api" ? parts.slice(1, 2) : parts[0] === "apis" ? parts.slice(1, 3) : undefined;
  if (prefix === undefined) return "(non-resource)";
  const rest = parts.slice(1 + prefix.length);
  if (rest.length === 0) return "(discovery)";
  // namespaces/<ns>/<resource>/… is a namespaced resource; namespaces and namespaces/<ns> the Namespace.
  const resource = rest[0] === "namespaces" && rest.length >= 3 ? rest[2] : rest[0];
  return `${prefix.join("/")}/${resource ?? ""}`;
}

/** A {@link TokenBucket} per {@link rateLimitKey}, each with the full limit, created on first use. */
export class PerResourceRateLimiter {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(
    readonly limit: RateLimit,
    private readonly onWait?: (seconds: number) => void,
  ) {
    new TokenBucket(limit); // refuses an unusable limit now, not at the first request
  }

  /** Resolves when the bucket of `path` grants a token. */
  take(path: string, signal?: AbortSignal): Promise<void> {
    const key = rateLimitKey(path);
    let bucket = this.buckets.get(key);
    if (bucket === undefined) {
      bucket = new TokenBucket(this.limit, undefined, this.onWait);
      this.buckets.set(key, bucket);
    }
    return bucket.take(signal);
  }
}
