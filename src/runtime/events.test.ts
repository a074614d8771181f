import { describe, expect, it } from "vitest";
import { EventRecorder, type CoreEvent, type EventSink } from "./events.js";
import { FakeClock } from "./queue/fake-clock.js";

function memorySink() {
  const created: CoreEvent[] = [];
  const updates: { name: string; count: number; lastTimestamp: string }[] = [];
  const sink: EventSink = {
    create: async (e) => void created.push(e),
    update: async (_ns, name, p) => void updates.push({ name, ...p }),
  };
  return { sink, created, updates };
}

const repo = {
  apiVersion: "source.toolkit.fluxcd.io/v1",
  kind: "GitRepository",
  name: "podinfo",
  namespace: "flux-system",
  uid: "u1",
};

describe("EventRecorder", () => {
  it("creates a core/v1 Event with involved object, type, reason, message and revision annotation", async () => {
    const { sink, created } = memorySink();
    const clock = new FakeClock(Date.parse("2026-01-01T00:00:00Z"));
    const rec = new EventRecorder({ sink, component: "source-controller", instance: "pod-1", clock });
    rec.record(repo, {
      type: "Normal",
      reason: "NewArtifact",
      message: "stored artifact for commit 'x'",
      metadata: { "source.toolkit.fluxcd.io/revision": "main@sha1:abc" },
    });
    await rec.flush();
    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({
      metadata: {
        namespace: "flux-system",
        annotations: { "source.toolkit.fluxcd.io/revision": "main@sha1:abc" },
      },
      involvedObject: repo,
      type: "Normal",
      reason: "NewArtifact",
      message: "stored artifact for commit 'x'",
      source: { component: "source-controller" },
      reportingInstance: "pod-1",
      count: 1,
      firstTimestamp: "2026-01-01T00:00:00Z",
    });
    expect(created[0]?.metadata.name).toMatch(/^podinfo\./);
  });

  it("aggregates identical repeats into one Event with a count", async () => {
    const { sink, created, updates } = memorySink();
    const clock = new FakeClock();
    const rec = new EventRecorder({ sink, component: "c", clock });
    const ev = { type: "Warning" as const, reason: "GitOperationFailed", message: "clone failed" };
    rec.record(repo, ev);
    await rec.flush();
    clock.advance(1000);
    rec.record(repo, ev);
    rec.record(repo, ev);
    await rec.flush();
    expect(created).toHaveLength(1);
    expect(updates.map((u) => u.count)).toEqual([2, 3]);
    expect(updates[0]?.name).toBe(created[0]?.metadata.name);
    rec.record(repo, { ...ev, message: "different" });
    await rec.flush();
    expect(created).toHaveLength(2);
  });

  it("starts a new Event after the aggregation window", async () => {
    const { sink, created } = memorySink();
    const clock = new FakeClock();
    const rec = new EventRecorder({ sink, component: "c", clock, aggregateWindowMs: 10_000 });
    const ev = { type: "Warning" as const, reason: "R", message: "m" };
    rec.record(repo, ev);
    clock.advance(10_000);
    rec.record(repo, ev);
    await rec.flush();
    expect(created).toHaveLength(2);
  });

  it("rate-limits a flooding object but not its neighbours", async () => {
    const { sink, created, updates } = memorySink();
    const clock = new FakeClock();
    const rec = new EventRecorder({ sink, component: "c", clock, burst: 5, refillMs: 60_000 });
    for (let i = 0; i < 50; i++) rec.record(repo, { type: "Warning", reason: "R", message: `m${i}` });
    rec.record({ ...repo, name: "other", uid: "u2" }, { type: "Normal", reason: "R", message: "m" });
    await rec.flush();
    expect(created.length + updates.length).toBe(6);
    expect(created.some((e) => e.involvedObject.name === "other")).toBe(true);
    clock.advance(60_000);
    rec.record(repo, { type: "Warning", reason: "R", message: "later" });
    await rec.flush();
    expect(created.at(-1)?.message).toBe("later");
  });

  it("scrubs credentials from messages and survives sink failures", async () => {
    const created: CoreEvent[] = [];
    let fail = true;
    const sink: EventSink = {
      create: async (e) => {
        if (fail) throw new Error("api down");
        created.push(e);
      },
      update: async () => undefined,
    };
    const rec = new EventRecorder({ sink, component: "c" });
    rec.record(repo, { type: "Warning", reason: "R", message: "a" });
    await rec.flush();
    fail = false;
    rec.record(repo, { type: "Warning", reason: "R", message: "clone https://u:pw@h/r failed" });
    await rec.flush();
    expect(created[0]?.message).toBe("clone https://h/r failed");
  });

  it("puts events of cluster-scoped objects in default", async () => {
    const { sink, created } = memorySink();
    const rec = new EventRecorder({ sink, component: "c" });
    rec.record(
      { apiVersion: "v1", kind: "Namespace", name: "n" },
      { type: "Normal", reason: "R", message: "m" },
    );
    await rec.flush();
    expect(created[0]?.metadata.namespace).toBe("default");
  });

  it("holds aggregation entries and rate-limit buckets only for objects heard from recently", async () => {
    const { sink, created } = memorySink();
    const clock = new FakeClock();
    const rec = new EventRecorder({
      sink,
      component: "c",
      clock,
      aggregateWindowMs: 60_000,
      refillMs: 1_000,
      burst: 5,
    });
    const object = (i: number) => ({ ...repo, name: `app-${i}`, uid: `u-${i}` });
    for (let i = 0; i < 5_000; i++) rec.record(object(i), { type: "Normal", reason: "R", message: "m" });
    await rec.flush();
    expect(rec.held()).toEqual({ aggregations: 5_000, buckets: 5_000 });
    // Long after, another 5,000 objects: the first ones' entries expired and their buckets refilled.
    clock.advance(120_000);
    for (let i = 5_000; i < 10_000; i++) rec.record(object(i), { type: "Normal", reason: "R", message: "m" });
    await rec.flush();
    const held = rec.held();
    expect(held.aggregations).toBeLessThanOrEqual(5_000);
    expect(held.buckets).toBeLessThanOrEqual(5_000);
    // A bucket still draining survives the sweeps: its object stays rate limited.
    const noisy = object(0);
    const warnings = () =>
      created.filter((e) => e.involvedObject.name === "app-0" && e.type === "Warning").length;
    for (let i = 0; i < 6; i++) rec.record(noisy, { type: "Warning", reason: "R", message: `m${i}` });
    await rec.flush();
    expect(warnings()).toBe(5);
    for (let i = 10_000; i < 20_000; i++)
      rec.record(object(i), { type: "Normal", reason: "R", message: "m" });
    rec.record(noisy, { type: "Warning", reason: "R", message: "m6" });
    await rec.flush();
    expect(warnings()).toBe(5);
  });
});
