import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { FakeClock } from "./fake-clock.js";
import { ExponentialRateLimiter } from "./rate-limiter.js";
import { WorkQueue } from "./work-queue.js";

const make = (clock = new FakeClock(), registry?: Registry) =>
  new WorkQueue({ name: "test", clock, ...(registry ? { registry } : {}) });

/** Resolves `p` if it settles within the current microtask flush, else returns "pending". */
async function peek<T>(p: Promise<T>): Promise<T | "pending"> {
  return Promise.race([p, new Promise<"pending">((r) => setImmediate(() => r("pending")))]);
}

describe("WorkQueue", () => {
  it("coalesces many adds of a waiting key into one entry, FIFO across keys", async () => {
    const q = make();
    q.add("a");
    q.add("b");
    q.add("a");
    q.add("a");
    expect(q.len()).toBe(2);
    expect(await q.get()).toBe("a");
    expect(await q.get()).toBe("b");
    expect(await peek(q.get())).toBe("pending");
  });

  it("never hands one key to two workers at once", async () => {
    const q = make();
    q.add("k");
    const first = await q.get(); // worker 1
    q.add("k");
    const second = q.get(); // worker 2 waits: k is processing
    expect(first).toBe("k");
    expect(await peek(second)).toBe("pending");
    expect(q.isProcessing("k")).toBe(true);
    q.done("k");
    expect(await peek(second)).toBe("k");
  });

  it("an add while processing runs once more after done, however many adds", async () => {
    const q = make();
    q.add("k");
    await q.get();
    q.add("k");
    q.add("k");
    q.add("k");
    expect(q.len()).toBe(0);
    q.done("k");
    expect(q.len()).toBe(1);
    expect(await q.get()).toBe("k");
    q.done("k");
    expect(q.len()).toBe(0);
  });

  it("a key processed without new adds is not requeued by done", async () => {
    const q = make();
    q.add("k");
    await q.get();
    q.done("k");
    expect(q.len()).toBe(0);
  });

  it("addAfter delays until the clock reaches the wake-up", async () => {
    const clock = new FakeClock();
    const q = make(clock);
    q.addAfter("k", 5000);
    expect(q.len()).toBe(0);
    clock.advance(4999);
    expect(q.len()).toBe(0);
    clock.advance(1);
    expect(q.len()).toBe(1);
    expect(await q.get()).toBe("k");
  });

  it("keeps one pending entry per key with the earliest wake-up", () => {
    const clock = new FakeClock();
    const q = make(clock);
    q.addAfter("k", 10_000);
    q.addAfter("k", 5000); // earlier wins
    q.addAfter("k", 8000); // later ignored
    expect(q.delayedLen()).toBe(1);
    clock.advance(5000);
    expect(q.len()).toBe(1);
    expect(q.delayedLen()).toBe(0);
    clock.advance(10_000);
    expect(q.len()).toBe(1);
  });

  it("addAfter with a non-positive delay adds now", () => {
    const q = make();
    q.addAfter("k", 0);
    q.addAfter("j", -5);
    expect(q.len()).toBe(2);
  });

  it("delayed keys become ready in wake-up order", async () => {
    const clock = new FakeClock();
    const q = make(clock);
    q.addAfter("late", 300);
    q.addAfter("early", 100);
    q.addAfter("mid", 200);
    clock.advance(1000);
    expect([await q.get(), await q.get(), await q.get()]).toEqual(["early", "mid", "late"]);
  });

  it("handing a key to a worker drops its pending delayed add; adds made while it runs are kept", async () => {
    const clock = new FakeClock();
    const q = make(clock);
    q.addAfter("k", 30_000); // e.g. "source not ready, look again in 30 s"
    q.add("k"); // the source became ready
    expect(await q.get()).toBe("k");
    expect(q.delayedLen()).toBe(0);
    q.addAfter("k", 60_000); // scheduled while processing (e.g. a drift retry)
    q.done("k");
    clock.advance(30_000);
    expect(q.len()).toBe(0); // the 30 s retry is gone: the run covered it
    clock.advance(30_000);
    expect(q.len()).toBe(1);
  });

  it("releases many delayed keys in wake-up order, rescheduled earlier ones included", async () => {
    const clock = new FakeClock();
    const q = make(clock);
    const due = new Map<string, number>();
    // A deterministic shuffle of wake-ups; every third key is rescheduled earlier.
    for (let i = 0; i < 5000; i++) {
      const key = `k${i}`;
      const delay = 1 + ((i * 7919) % 10_000);
      q.addAfter(key, delay);
      due.set(key, delay);
      if (i % 3 === 0) {
        q.addAfter(key, Math.ceil(delay / 2));
        due.set(key, Math.ceil(delay / 2));
      }
    }
    expect(q.delayedLen()).toBe(5000);
    const released: string[] = [];
    for (let t = 0; t < 10_000; t += 250) {
      clock.advance(250);
      while (q.len() > 0) released.push((await q.get()) ?? "");
    }
    expect(released).toHaveLength(5000);
    const windows = released.map((k) => Math.ceil((due.get(k) ?? 0) / 250));
    expect(windows).toEqual([...windows].sort((a, b) => a - b));
  });

  it("addRateLimited backs off per key exponentially and forget resets", () => {
    const clock = new FakeClock();
    const q = new WorkQueue({
      name: "t",
      clock,
      rateLimiter: new ExponentialRateLimiter({ baseDelayMs: 750, maxDelayMs: 900_000 }),
    });
    q.addRateLimited("k"); // 750
    clock.advance(749);
    expect(q.len()).toBe(0);
    clock.advance(1);
    expect(q.len()).toBe(1);
    q.addRateLimited("j"); // j is independent: 750
    q.addRateLimited("k"); // k second failure: 1500, but k is already queued (coalesces when due)
    expect(q.numRequeues("k")).toBe(2);
    q.forget("k");
    expect(q.numRequeues("k")).toBe(0);
    expect(q.numRequeues("j")).toBe(1);
  });

  it("shutdown releases waiting gets, ignores adds and drops delayed keys", async () => {
    const clock = new FakeClock();
    const q = make(clock);
    const waiting = q.get();
    q.addAfter("d", 1000);
    q.shutdown();
    expect(await waiting).toBeUndefined();
    q.add("x");
    q.addAfter("y", 10);
    clock.advance(2000);
    expect(q.len()).toBe(0);
    expect(await q.get()).toBeUndefined();
    expect(clock.pendingTimers).toBe(0);
  });

  it("shutdownWithDrain waits for keys being processed", async () => {
    const q = make();
    q.add("a");
    q.add("b");
    await q.get();
    await q.get();
    let drained = false;
    const drain = q.shutdownWithDrain().then(() => (drained = true));
    await peek(drain);
    expect(drained).toBe(false);
    q.done("a");
    await peek(drain);
    expect(drained).toBe(false);
    q.done("b");
    await drain;
    expect(drained).toBe(true);
  });

  it("shutdownWithDrain with nothing in flight returns at once", async () => {
    await expect(make().shutdownWithDrain()).resolves.toBeUndefined();
  });

  it("reports workqueue_* metrics into the given registry", async () => {
    const clock = new FakeClock();
    const registry = new Registry();
    const q = make(clock, registry);
    q.add("a");
    q.add("b");
    q.addRateLimited("c");
    clock.advance(2);
    const key = await q.get();
    clock.advance(1500);
    const text1 = await registry.metrics();
    expect(text1).toMatch(
      /workqueue_longest_running_processor_seconds\{name="test",controller="test"\} 1\.5/,
    );
    q.done(key!);
    const text = await registry.metrics();
    expect(text).toMatch(/workqueue_adds_total\{name="test",controller="test"\} 3/);
    expect(text).toMatch(/workqueue_retries_total\{name="test",controller="test"\} 1/);
    expect(text).toMatch(/workqueue_depth\{name="test",controller="test"\} 2/);
    expect(text).toMatch(/workqueue_queue_duration_seconds_count\{name="test",controller="test"\} 1/);
    expect(text).toMatch(/workqueue_work_duration_seconds_sum\{name="test",controller="test"\} 1\.5/);
    // A second queue on the same registry shares the metric objects.
    expect(() => make(clock, registry)).not.toThrow();
  });
});
