import { describe, expect, it, vi } from "vitest";
import { PerResourceRateLimiter, rateLimitKey, TokenBucket } from "./rate-limiter.js";

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

describe("rateLimitKey", () => {
  it.each([
    ["/api/v1/namespaces/a/configmaps/x", "v1/configmaps"],
    ["/api/v1/namespaces/b/configmaps?labelSelector=x", "v1/configmaps"],
    ["/api/v1/configmaps?watch=true", "v1/configmaps"],
    ["/api/v1/namespaces/a", "v1/namespaces"],
    ["/api/v1/namespaces", "v1/namespaces"],
    ["/apis/apps/v1/namespaces/a/deployments/web/status", "apps/v1/deployments"],
    [
      "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/x",
      "apiextensions.k8s.io/v1/customresourcedefinitions",
    ],
    ["/apis/apps/v1", "(discovery)"],
    ["/version", "(non-resource)"],
  ])("%s → %s", (path, key) => {
    expect(rateLimitKey(path)).toBe(key);
  });
});

describe("PerResourceRateLimiter", () => {
  it("gives each resource its own bucket: one resource's backlog does not delay another's", async () => {
    const limiter = new PerResourceRateLimiter({ qps: 1, burst: 1 });
    await limiter.take("/api/v1/namespaces/a/configmaps/x");
    let queued = false;
    const second = limiter.take("/api/v1/namespaces/a/configmaps/y").then(() => (queued = true));
    await limiter.take("/apis/apps/v1/namespaces/a/deployments/web");
    expect(queued).toBe(false);
    await second;
  });

  it("refuses an unusable limit when made", () => {
    expect(() => new PerResourceRateLimiter({ qps: 0, burst: 1 })).toThrow(RangeError);
  });
});
