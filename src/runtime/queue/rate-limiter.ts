/**
 * Per-key exponential failure backoff (client-go `ItemExponentialFailureRateLimiter`), with Flux's
 * defaults: 750 ms doubling up to 15 min (`--min-retry-delay`, `--max-retry-delay`). One failing
 * object backs off on its own without slowing the others.
 */

/** Backoff bounds. */
export interface BackoffOptions {
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

/** Flux's defaults. */
export const DEFAULT_BACKOFF: BackoffOptions = { baseDelayMs: 750, maxDelayMs: 15 * 60_000 };

/** Decides how long a key waits before its next retry. */
export interface RateLimiter {
  /** The delay for the next retry of `key`; counts a failure. */
  when(key: string): number;
  /** Clears `key`'s failure count (after a success). */
  forget(key: string): void;
  /** Failures counted for `key`. */
  numRequeues(key: string): number;
}

/** base × 2^failures, capped at max. */
export class ExponentialRateLimiter implements RateLimiter {
  private readonly failures = new Map<string, number>();

  constructor(private readonly options: BackoffOptions = DEFAULT_BACKOFF) {}

  when(key: string): number {
    const n = this.failures.get(key) ?? 0;
    this.failures.set(key, n + 1);
    // 2^n overflows to Infinity for large n; min() then caps it.
    return Math.min(this.options.baseDelayMs * 2 ** n, this.options.maxDelayMs);
  }

  forget(key: string): void {
    this.failures.delete(key);
  }

  numRequeues(key: string): number {
    return this.failures.get(key) ?? 0;
  }
}
