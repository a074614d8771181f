import { describe, expect, it, vi } from "vitest";
import { TokenBucket } from "./rate-limiter.js";

describe("TokenBucket", () => {
  it("lets a burst through at once, then serves waiters in order at qps", async () => {
    vi.useFakeTimers();
    try {
      let now = 0;
      const bucket = new TokenBucket({ qps: 10, burst: 3 }, () => now);
      const order: number[] = [];
      const all = [0, 1, 2, 3, 4].map((i) => bucket.take().then(() => order.push(i)));
      await Promise.resolve();
      await Promise.resolve();
      expect(order).toEqual([0, 1, 2]);
      expect(bucket.waiting).toBe(2);
      now = 100;
      await vi.advanceTimersByTimeAsync(100);
      expect(order).toEqual([0, 1, 2, 3]);
      now = 200;
      await vi.advanceTimersByTimeAsync(100);
      await Promise.all(all);
      expect(order).toEqual([0, 1, 2, 3, 4]);
    } finally {
      vi.useRealTimers();
    }
  });

  it("drops an aborted waiter without using a token", async () => {
    vi.useFakeTimers();
    try {
      let now = 0;
      const bucket = new TokenBucket({ qps: 1, burst: 1 }, () => now);
      await bucket.take();
      const abort = new AbortController();
      const first = bucket.take(abort.signal);
      const second = bucket.take();
      abort.abort(new Error("gone"));
      await expect(first).rejects.toThrow("gone");
      expect(bucket.waiting).toBe(1);
      now = 1000;
      await vi.advanceTimersByTimeAsync(1000);
      await expect(second).resolves.toBeUndefined();
    } finally {
      vi.useRealTimers();
    }
  });

  it("refuses a limit that cannot serve anything", () => {
    expect(() => new TokenBucket({ qps: 0, burst: 1 })).toThrow(RangeError);
    expect(() => new TokenBucket({ qps: 5, burst: 0 })).toThrow(RangeError);
  });
});
