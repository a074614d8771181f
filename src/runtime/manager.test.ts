import { Writable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { eventually } from "../../test/support/eventually.js";
import { Informer } from "./informer/informer.js";
import type { ListWatcher, WatchEvent } from "./informer/types.js";
import { createLogger } from "./logging.js";
import { Manager } from "./manager.js";
import { createMetricsRegistry } from "./metrics.js";
import { Results, type ObjectKey, type ReconcileContext } from "./reconciler.js";

type Obj = { metadata: { name: string; namespace: string; resourceVersion: string; generation: number } };

function staticSource(names: string[]): ListWatcher<Obj> {
  return {
    list: async () => ({
      items: names.map((name, i) => ({
        metadata: { name, namespace: "ns", resourceVersion: String(i + 1), generation: 1 },
      })),
      resourceVersion: String(names.length),
    }),
    watch: (_rv: string, _on: (e: WatchEvent<Obj>) => void, signal: AbortSignal) =>
      new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true })),
  };
}

function quietLogger() {
  const lines: string[] = [];
  const destination = new Writable({ write: (c: Buffer, _e, cb) => (lines.push(c.toString()), cb()) });
  return { log: createLogger({ destination, encoding: "json" }), lines };
}

describe("Manager", () => {
  it("syncs informers, reconciles every object, serves probes and drains on shutdown", async () => {
    const { log, lines } = quietLogger();
    const registry = createMetricsRegistry({ processMetrics: false });
    const manager = new Manager({ log, registry, metricsAddr: "127.0.0.1:0", healthAddr: "127.0.0.1:0" });
    const seen: string[] = [];
    let inFlight = 0;
    const controller = manager.addController({
      name: "thing",
      kind: "Thing",
      concurrency: 2,
      reconciler: {
        async reconcile(key: ObjectKey, ctx: ReconcileContext) {
          inFlight++;
          ctx.log.info("reconciling");
          await sleep(5); // the work itself: keeps two reconciles in flight together
          seen.push(key.name);
          inFlight--;
          return Results.done();
        },
      },
    });
    const informer = new Informer<Obj>({ name: "things", source: staticSource(["a", "b", "c"]) });
    controller.watch(informer);
    const stop = new AbortController();
    const running = manager.start(stop.signal);
    await eventually(
      "the three keys reconciled",
      async () => (seen.length === 3 ? true : undefined),
      async () => seen,
      {
        intervalMs: 5,
      },
    );
    expect(seen.sort()).toEqual(["a", "b", "c"]);
    const { metrics, health } = manager.ports;
    expect((await fetch(`http://127.0.0.1:${health}/readyz`)).status).toBe(200);
    const text = await (await fetch(`http://127.0.0.1:${metrics}/metrics`)).text();
    expect(text).toContain('gotk_reconcile_duration_seconds_count{kind="Thing",name="a",namespace="ns"} 1');
    expect(text).toContain('workqueue_adds_total{name="thing",controller="thing"} 3');
    controller.enqueue("ns/slow");
    stop.abort();
    await running;
    expect(inFlight).toBe(0);
    const reconcileLine = lines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.msg === "reconciling");
    expect(reconcileLine).toMatchObject({ controller: "thing", controllerKind: "Thing", namespace: "ns" });
    expect(reconcileLine?.["reconcileID"]).toMatch(/[0-9a-f-]{36}/);
  });

  it("aborts reconciles that outlive the graceful shutdown deadline", async () => {
    const { log } = quietLogger();
    const manager = new Manager({
      log,
      registry: createMetricsRegistry({ processMetrics: false }),
      gracefulShutdownTimeoutMs: 50,
    });
    let aborted = false;
    let started = false;
    const c = manager.addController({
      name: "slow",
      kind: "Slow",
      reconciler: {
        reconcile: (_k, ctx) =>
          new Promise((resolve) => {
            started = true;
            ctx.signal.addEventListener("abort", () => ((aborted = true), resolve(Results.done())));
          }),
      },
    });
    c.watch(new Informer<Obj>({ name: "slow", source: staticSource(["x"]) }));
    const stop = new AbortController();
    const running = manager.start(stop.signal);
    await eventually("the reconcile to start", async () => (started ? true : undefined), undefined, {
      intervalMs: 5,
    });
    stop.abort();
    await running;
    expect(aborted).toBe(true);
  });

  it("gives up on a reconcile that ignores its abort signal, so shutdown still completes (issue 14)", async () => {
    const { log, lines } = quietLogger();
    const manager = new Manager({
      log,
      registry: createMetricsRegistry({ processMetrics: false }),
      gracefulShutdownTimeoutMs: 20,
      abortGraceMs: 50,
    });
    let started = false;
    const c = manager.addController({
      name: "stuck",
      kind: "Stuck",
      reconciler: { reconcile: () => ((started = true), new Promise(() => undefined)) },
    });
    c.watch(new Informer<Obj>({ name: "stuck", source: staticSource(["x"]) }));
    const stop = new AbortController();
    const running = manager.start(stop.signal);
    await eventually("the reconcile to start", async () => (started ? true : undefined), undefined, {
      intervalMs: 5,
    });
    stop.abort();
    await running;
    const messages = lines.map((l) => JSON.parse(l) as { msg: string; inFlight?: number });
    expect(messages.find((m) => m.msg === "shutting down, draining reconciles")?.inFlight).toBe(1);
    expect(messages.map((m) => m.msg)).toContain(
      "aborted reconciles did not return in time; giving up on them",
    );
    expect(messages.at(-1)?.msg).toBe("manager stopped");
  });

  it("counts a runnable's work in flight and tells it when the drain begins", async () => {
    const { log, lines } = quietLogger();
    const manager = new Manager({ log, registry: createMetricsRegistry({ processMetrics: false }) });
    const stops: boolean[] = [];
    manager.addRunnable({ start: () => undefined, stop: async (abort) => void stops.push(abort), active: 3 });
    const stop = new AbortController();
    const running = manager.start(stop.signal);
    await eventually(
      "the workers to start",
      async () => (lines.some((l) => l.includes('"starting workers"')) ? true : undefined),
      undefined,
      {
        intervalMs: 5,
      },
    );
    stop.abort();
    await running;
    expect(stops).toEqual([false]);
    const drain = lines.map((l) => JSON.parse(l) as { msg: string; inFlight?: number });
    expect(drain.find((m) => m.msg === "shutting down, draining reconciles")?.inFlight).toBe(3);
  });
});
