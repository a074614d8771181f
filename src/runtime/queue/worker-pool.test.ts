import { setImmediate as tick } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { Results, type Result } from "../reconciler.js";
import { FakeClock } from "./fake-clock.js";
import { WorkQueue } from "./work-queue.js";
import { WorkerPool } from "./worker-pool.js";

/** A handler whose runs the test finishes by hand. */
function manual() {
  const running = new Map<string, { resolve: (r: Result) => void; signal: AbortSignal }>();
  const calls: string[] = [];
  const handle = (key: string, signal: AbortSignal) => {
    calls.push(key);
    if (running.has(key)) throw new Error(`overlap on ${key}`);
    return new Promise<Result>((resolve) =>
      running.set(key, { resolve: (r) => (running.delete(key), resolve(r)), signal }),
    );
  };
  return { running, calls, handle };
}

async function settle() {
  for (let i = 0; i < 10; i++) await tick();
}

describe("WorkerPool", () => {
  it("runs at most `concurrency` keys at once", async () => {
    const q = new WorkQueue({ name: "p", clock: new FakeClock() });
    const h = manual();
    const pool = new WorkerPool({ queue: q, concurrency: 2, handle: h.handle });
    pool.start();
    ["a", "b", "c", "d"].forEach((k) => q.add(k));
    await settle();
    expect(h.running.size).toBe(2);
    expect(q.len()).toBe(2); // c and d not pulled early
    h.running.get("a")!.resolve(Results.done());
    await settle();
    expect([...h.running.keys()].sort()).toEqual(["b", "c"]);
    for (const r of [...h.running.values()]) r.resolve(Results.done());
    await settle();
    h.running.get("d")!.resolve(Results.done());
    await pool.stop();
    expect(h.calls).toEqual(["a", "b", "c", "d"]);
  });

  it("two workers never reconcile one key at once; an add during a run reruns it once", async () => {
    const q = new WorkQueue({ name: "p", clock: new FakeClock() });
    const h = manual();
    const pool = new WorkerPool({ queue: q, concurrency: 4, handle: h.handle });
    pool.start();
    q.add("k");
    await settle();
    q.add("k");
    q.add("k");
    await settle();
    expect(h.calls).toEqual(["k"]); // the manual handler throws on overlap
    h.running.get("k")!.resolve(Results.done());
    await settle();
    expect(h.calls).toEqual(["k", "k"]);
    h.running.get("k")!.resolve(Results.done());
    await settle();
    expect(h.calls).toEqual(["k", "k"]);
    await pool.stop();
  });

  it("maps results to queue operations", async () => {
    const clock = new FakeClock();
    const q = new WorkQueue({ name: "p", clock });
    const errors: unknown[] = [];
    const h = manual();
    const pool = new WorkerPool({
      queue: q,
      concurrency: 1,
      handle: h.handle,
      onError: (_k, e) => errors.push(e),
    });
    pool.start();

    q.add("k");
    await settle();
    h.running.get("k")!.resolve(Results.backoff(new Error("x")));
    await settle();
    expect(q.numRequeues("k")).toBe(1);
    expect(errors).toHaveLength(1);
    clock.advance(750);
    await settle();
    expect(h.calls).toHaveLength(2);

    h.running.get("k")!.resolve(Results.after(60_000)); // success: forget + requeue later
    await settle();
    expect(q.numRequeues("k")).toBe(0);
    expect(q.delayedLen()).toBe(1);
    clock.advance(60_000);
    await settle();
    expect(h.calls).toHaveLength(3);

    h.running.get("k")!.resolve(Results.requeue());
    await settle();
    expect(q.numRequeues("k")).toBe(1);
    clock.advance(750);
    await settle();
    expect(h.calls).toHaveLength(4);

    h.running.get("k")!.resolve(Results.done());
    await settle();
    expect(q.numRequeues("k")).toBe(0);
    expect(q.delayedLen()).toBe(0);
    await pool.stop();
  });

  it("a thrown error backs off like a returned one", async () => {
    const q = new WorkQueue({ name: "p", clock: new FakeClock() });
    const pool = new WorkerPool({
      queue: q,
      concurrency: 1,
      handle: () => Promise.reject(new Error("boom")),
    });
    pool.start();
    q.add("k");
    await settle();
    expect(q.numRequeues("k")).toBe(1);
    await pool.stop();
  });

  it("stop(abort) aborts in-flight signals and waits for them", async () => {
    const q = new WorkQueue({ name: "p", clock: new FakeClock() });
    let finished = false;
    const pool = new WorkerPool({
      queue: q,
      concurrency: 2,
      handle: (_k, signal) =>
        new Promise<Result>((resolve) =>
          // The point: a reconcile that takes a moment to wind down after its abort.
          signal.addEventListener("abort", () =>
            setTimeout(() => ((finished = true), resolve(Results.done())), 5),
          ),
        ),
    });
    pool.start();
    q.add("k");
    await settle();
    await pool.stop(true);
    expect(finished).toBe(true);
  });

  it("supersede aborts only that key's run", async () => {
    const q = new WorkQueue({ name: "p", clock: new FakeClock() });
    const h = manual();
    const pool = new WorkerPool({ queue: q, concurrency: 2, handle: h.handle });
    pool.start();
    q.add("a");
    q.add("b");
    await settle();
    pool.supersede("a");
    expect(h.running.get("a")!.signal.aborted).toBe(true);
    expect(h.running.get("b")!.signal.aborted).toBe(false);
    h.running.get("a")!.resolve(Results.done());
    h.running.get("b")!.resolve(Results.done());
    await pool.stop();
  });

  it("under random load no key ever overlaps and every add is eventually reconciled", async () => {
    const q = new WorkQueue({ name: "p", clock: new FakeClock() });
    const active = new Set<string>();
    let overlaps = 0;
    const lastRun = new Map<string, number>();
    let step = 0;
    const pool = new WorkerPool({
      queue: q,
      concurrency: 4,
      handle: async (key) => {
        if (active.has(key)) overlaps++;
        active.add(key);
        lastRun.set(key, ++step);
        for (let i = 0; i < (key.charCodeAt(1) % 3) + 1; i++) await tick();
        active.delete(key);
        return Results.done();
      },
    });
    pool.start();
    const lastAdd = new Map<string, number>();
    for (let i = 0; i < 500; i++) {
      const key = `k${i % 7}`;
      q.add(key);
      lastAdd.set(key, ++step);
      if (i % 5 === 0) await tick();
    }
    await settle();
    await settle();
    for (let i = 0; i < 50 && (q.len() > 0 || pool.active > 0); i++) await settle();
    expect(overlaps).toBe(0);
    for (const [key, added] of lastAdd) expect(lastRun.get(key)).toBeGreaterThan(added);
    await pool.stop();
  });
});
