/**
 * A counting semaphore, and a wrapper that caps the concurrent calls made through an API client.
 *
 * client-node has no client-side rate limiter (client-go has QPS/burst); without a cap, a burst of
 * reconciles can open hundreds of requests at once. The cap is configuration (`--kube-api-concurrency`
 * style), passed in by the composition root.
 */

/** Limits how many async operations run at once; waiters are served FIFO. */
export class Semaphore {
  private available: number;
  private readonly waiters: (() => void)[] = [];

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new Error(`semaphore capacity must be ≥ 1, got ${capacity}`);
    this.available = capacity;
  }

  /** Operations running now. */
  get inUse(): number {
    return this.capacity - this.available;
  }

  /** Operations waiting for a slot. */
  get waiting(): number {
    return this.waiters.length;
  }

  /** Runs `fn` when a slot is free, releasing the slot when it settles. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await fn();
    } finally {
      this.release();
    }
  }

  private acquire(): Promise<void> {
    if (this.available > 0) {
      this.available--;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private release(): void {
    const next = this.waiters.shift();
    if (next !== undefined) next();
    else this.available++;
  }
}
