import { describe, expect, it } from "vitest";
import {
  getCondition,
  markFalse,
  markReconciling,
  markStalled,
  markTrue,
  markUnknown,
  type ConditionedObject,
} from "./conditions.js";
import { GenericError } from "./errors.js";
import { StatusFinisher } from "./finish-status.js";
import { RECONCILE_REQUEST_ANNOTATION } from "./reconcile-request.js";
import type { ResultOptions } from "./result.js";
import { statusDiff, type StatusPatch } from "./status-patch.js";

const t0 = new Date("2026-01-01T00:00:00Z");
const t1 = new Date("2026-01-01T00:01:00Z");
const options: ResultOptions = { intervalMs: 60_000, jitter: (ms) => ms, now: t1 };

const artifact = (revision: string): Record<string, unknown> => ({
  path: "p",
  url: "u",
  revision,
  digest: "d",
});

/** A finisher over `read` that records what it sends. */
function finisher(read: ConditionedObject): { f: StatusFinisher<ConditionedObject>; sent: StatusPatch[] } {
  const sent: StatusPatch[] = [];
  const f = new StatusFinisher(read, (_obj: ConditionedObject, patch) => {
    sent.push(patch);
    return Promise.resolve();
  });
  return { f, sent };
}

const ready = (obj: ConditionedObject): unknown => {
  const c = getCondition(obj, "Ready");
  return c && [c.status, c.reason, c.message];
};

describe("statusDiff", () => {
  it("carries changed keys only, null for dropped ones, nothing for equal ones", () => {
    expect(statusDiff({ a: 1, b: 2 }, { a: 1, b: 1, c: 3 })).toEqual({ b: 2, c: null });
    expect(statusDiff({ a: [1], o: { x: 1 } }, { a: [1], o: { x: 1 } })).toEqual({});
    expect(statusDiff(undefined, { a: 1 })).toEqual({ a: null });
  });

  it("removes dropped fields at any depth: an artifact without metadata loses the old one (issue 16)", () => {
    const old = { artifact: { ...artifact("a"), metadata: { "org.opencontainers.image.revision": "r" } } };
    expect(statusDiff({ artifact: artifact("b") }, old)).toEqual({
      artifact: { revision: "b", metadata: null },
    });
  });

  it("sends an array whole when it differs (a merge patch replaces arrays)", () => {
    const conditions = [{ type: "Ready" }, { type: "Healthy" }];
    expect(statusDiff({ conditions }, { conditions: [{ type: "Ready" }] })).toEqual({ conditions });
    expect(statusDiff({ conditions: [] }, { conditions: [{ type: "Ready" }] })).toEqual({ conditions: [] });
  });
});

describe("StatusFinisher", () => {
  const read: ConditionedObject = markTrue(
    { metadata: { generation: 2 }, status: { observedGeneration: 1, artifact: artifact("a") } },
    "Ready",
    { reason: "Succeeded", message: "stored a", now: t0 },
  );

  it("sends nothing when the status did not change", async () => {
    const { f, sent } = finisher(read);
    await f.patch(read);
    await f.patch({ ...read, status: { ...read.status } });
    expect(sent).toEqual([]);
  });

  it("diffs each write from the last one sent: a key written while progressing and dropped at the end is nulled", async () => {
    const { f, sent } = finisher(read);
    const progress = { ...read, status: { ...read.status, lastAttemptedRevision: "b" } };
    await f.patch(progress);
    await f.patch(read);
    expect(sent).toEqual([{ lastAttemptedRevision: "b" }, { lastAttemptedRevision: null }]);
  });

  it("success: Reconciling removed, Ready True, observedGeneration and the request handled, in one write", async () => {
    const requested = {
      ...read,
      metadata: { ...read.metadata, annotations: { [RECONCILE_REQUEST_ANNOTATION]: "now" } },
    };
    const { f, sent } = finisher(requested);
    const working = markUnknown(
      markReconciling(requested, { reason: "Progressing", message: "w", now: t1 }),
      "Ready",
      {
        reason: "Progressing",
        message: "w",
        now: t1,
      },
    );
    const out = await f.finish(working, "success", undefined, { ...options, successMessage: "stored b" });
    expect(out.result).toEqual({ kind: "requeue-after", afterMs: 60_000 });
    expect(ready(out.obj)).toEqual(["True", "Succeeded", "stored b"]);
    expect(getCondition(out.obj, "Reconciling")).toBeUndefined();
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ observedGeneration: 2, lastHandledReconcileAt: "now" });
    expect(Object.keys(sent[0] ?? {}).sort()).toEqual([
      "conditions",
      "lastHandledReconcileAt",
      "observedGeneration",
    ]);
  });

  it("a failure replaces a Ready False left by an earlier run with its own error", async () => {
    const stale = markFalse(read, "Ready", { reason: "BuildFailed", message: "old", now: t0 });
    const { f } = finisher(stale);
    const out = await f.finish(stale, "success", new GenericError("ArtifactFailed", "source gone"), options);
    expect(ready(out.obj)).toEqual(["False", "ArtifactFailed", "source gone"]);
    expect(out.obj.status?.observedGeneration).toBe(1);
  });

  it("a failure keeps the Ready False a step of this run wrote", async () => {
    const { f } = finisher(read);
    const marked = markFalse(read, "Ready", {
      reason: "HealthCheckFailed",
      message: "web not ready",
      now: t1,
    });
    const out = await f.finish(marked, "success", new GenericError("Other", "x"), options);
    expect(ready(out.obj)).toEqual(["False", "HealthCheckFailed", "web not ready"]);
  });

  it("suspended: the request is recorded, conditions stay, no requeue", async () => {
    const stalled = markStalled(markFalse(read, "Ready", { reason: "Invalid", message: "bad", now: t0 }), {
      reason: "Invalid",
      message: "bad",
      now: t0,
    });
    const requested = {
      ...stalled,
      metadata: { ...stalled.metadata, annotations: { [RECONCILE_REQUEST_ANNOTATION]: "r1" } },
    };
    const { f, sent } = finisher(requested);
    const out = await f.finish(requested, "suspended", undefined, options);
    expect(out.result).toEqual({ kind: "done" });
    expect(out.obj.status?.conditions).toEqual(requested.status?.conditions);
    expect(sent).toEqual([{ lastHandledReconcileAt: "r1", observedGeneration: 2 }]);
  });

  it("suspended: Reconciling stays while Ready is not True; nothing is sent when nothing changed", async () => {
    const working = markReconciling(markFalse(read, "Ready", { reason: "Failed", message: "x", now: t0 }), {
      reason: "ProgressingWithRetry",
      message: "retrying",
      now: t0,
    });
    const { f, sent } = finisher(working);
    const out = await f.finish(working, "suspended", undefined, options);
    expect(getCondition(out.obj, "Reconciling")?.status).toBe("True");
    expect(sent).toEqual([]);
  });
});
