import { describe, expect, it } from "vitest";
import {
  getCondition,
  markFalse,
  markReconciling,
  markTrue,
  markUnknown,
  type ConditionedObject,
} from "./conditions.js";
import { GenericError, StallingError, WaitingError } from "./errors.js";
import { RECONCILE_REQUEST_ANNOTATION } from "./reconcile-request.js";
import { computeResult, type ResultOptions, type StepOutcome } from "./result.js";
import type { Result } from "./reconciler.js";
import type { SummarySpec } from "./summary.js";

const now = new Date("2026-01-01T00:00:00Z");
const summary: SummarySpec = {
  priority: ["FetchFailed", "ArtifactInStorage", "Stalled", "Reconciling"],
  negativePolarity: ["FetchFailed", "Stalled", "Reconciling"],
};
const options: ResultOptions = {
  intervalMs: 60_000,
  jitter: (ms) => ms,
  now,
  summary,
  successMessage: "stored",
};

/** An object mid-reconcile: generation 2, previously observed 1, Reconciling True. */
const reconciling: ConditionedObject = markReconciling(
  { metadata: { generation: 2 }, status: { observedGeneration: 1 } },
  { reason: "Progressing", message: "building artifact", now },
);
const withFetchFailed = markTrue(reconciling, "FetchFailed", {
  reason: "AuthenticationFailed",
  message: "auth",
  now,
});
const withArtifact = markTrue(reconciling, "ArtifactInStorage", {
  reason: "Succeeded",
  message: "stored rev",
  now,
});

interface Row {
  name: string;
  obj: ConditionedObject;
  outcome: StepOutcome;
  error?: unknown;
  opts?: Partial<ResultOptions>;
  result: Result["kind"];
  afterMs?: number;
  observedGeneration: number | undefined;
  ready: [string, string] | undefined;
  reconciling: string | undefined;
  stalled: string | undefined;
  events: string[];
}

const rows: Row[] = [
  {
    name: "success requeues at interval, stamps, removes Reconciling, Ready from summary",
    obj: withArtifact,
    outcome: "success",
    result: "requeue-after",
    afterMs: 60_000,
    observedGeneration: 2,
    ready: ["True", "Succeeded"],
    reconciling: undefined,
    stalled: undefined,
    events: [],
  },
  {
    name: "success with nothing to summarise marks Ready True with the success reason",
    obj: reconciling,
    outcome: "success",
    result: "requeue-after",
    afterMs: 60_000,
    observedGeneration: 2,
    ready: ["True", "Succeeded"],
    reconciling: undefined,
    stalled: undefined,
    events: [],
  },
  {
    name: "success without interval does not requeue",
    obj: withArtifact,
    outcome: "success",
    opts: { intervalMs: 0 },
    result: "done",
    observedGeneration: 2,
    ready: ["True", "Succeeded"],
    reconciling: undefined,
    stalled: undefined,
    events: [],
  },
  {
    name: "generic error backs off, Reconciling becomes ProgressingWithRetry, Ready from failure condition",
    obj: withFetchFailed,
    outcome: "empty",
    error: new GenericError("AuthenticationFailed", "auth"),
    result: "backoff",
    observedGeneration: 1,
    ready: ["False", "AuthenticationFailed"],
    reconciling: "ProgressingWithRetry",
    stalled: undefined,
    events: ["Warning/AuthenticationFailed"],
  },
  {
    name: "untyped error backs off with ReconciliationFailed when no condition explains it",
    obj: reconciling,
    outcome: "empty",
    error: new Error("boom"),
    result: "backoff",
    observedGeneration: 1,
    ready: ["False", "ReconciliationFailed"],
    reconciling: "ProgressingWithRetry",
    stalled: undefined,
    events: ["Warning/ReconciliationFailed"],
  },
  {
    name: "generic error with retryAfter requeues at the fixed delay (Kustomization retryInterval)",
    obj: reconciling,
    outcome: "empty",
    error: new GenericError("BuildFailed", "kustomize build failed", { retryAfterMs: 120_000 }),
    opts: { summary: undefined },
    result: "requeue-after",
    afterMs: 120_000,
    observedGeneration: 1,
    ready: ["False", "BuildFailed"],
    reconciling: "ProgressingWithRetry",
    stalled: undefined,
    events: ["Warning/BuildFailed"],
  },
  {
    name: "stalling error: Stalled True, Reconciling removed, stamped, no requeue",
    obj: reconciling,
    outcome: "empty",
    error: new StallingError("URLInvalid", "invalid url"),
    result: "done",
    observedGeneration: 2,
    ready: ["False", "URLInvalid"],
    reconciling: undefined,
    stalled: "URLInvalid",
    events: ["Warning/URLInvalid"],
  },
  {
    name: "waiting error requeues at its time without stamping, Normal event",
    obj: reconciling,
    outcome: "empty",
    error: new WaitingError("DependencyNotReady", "dependency 'a' is not ready", { requeueAfterMs: 30_000 }),
    result: "requeue-after",
    afterMs: 30_000,
    observedGeneration: 1,
    ready: ["False", "DependencyNotReady"],
    reconciling: "ProgressingWithRetry",
    stalled: undefined,
    events: ["Normal/DependencyNotReady"],
  },
  {
    name: "waiting error without a time falls back to the interval",
    obj: reconciling,
    outcome: "empty",
    error: new WaitingError("ArtifactFailed", "no artifact"),
    result: "requeue-after",
    afterMs: 60_000,
    observedGeneration: 1,
    ready: ["False", "ArtifactFailed"],
    reconciling: "ProgressingWithRetry",
    stalled: undefined,
    events: ["Normal/ArtifactFailed"],
  },
  {
    name: "ignored generic error counts as success",
    obj: withArtifact,
    outcome: "empty",
    error: new GenericError("GitOperationSucceeded", "no changes", { ignore: true, event: "Normal" }),
    result: "requeue-after",
    afterMs: 60_000,
    observedGeneration: 2,
    ready: ["True", "Succeeded"],
    reconciling: undefined,
    stalled: undefined,
    events: ["Normal/GitOperationSucceeded"],
  },
  {
    name: "success with Ready False set by a step backs off",
    obj: markFalse(
      markTrue({ metadata: { generation: 2 } }, "ArtifactInStorage", {
        reason: "Succeeded",
        message: "",
        now,
      }),
      "Ready",
      { reason: "HealthCheckFailed", message: "unhealthy", now },
    ),
    outcome: "success",
    opts: { summary: undefined },
    result: "backoff",
    observedGeneration: undefined,
    ready: ["False", "HealthCheckFailed"],
    reconciling: undefined,
    stalled: undefined,
    events: [],
  },
  {
    name: "a new failure clears an old Stalled",
    obj: markTrue(
      markUnknown(reconciling, "Ready", { reason: "Progressing", message: "x", now }),
      "Stalled",
      { reason: "Old", message: "old", now },
    ),
    outcome: "empty",
    error: new GenericError("GitOperationFailed", "clone failed"),
    opts: { summary: undefined },
    result: "backoff",
    observedGeneration: 1,
    ready: ["False", "GitOperationFailed"],
    reconciling: "ProgressingWithRetry",
    stalled: undefined,
    events: ["Warning/GitOperationFailed"],
  },
];

describe("computeResult", () => {
  it.each(rows)("$name", (row) => {
    const out = computeResult(row.obj, row.outcome, row.error, { ...options, ...row.opts });
    expect(out.result.kind).toBe(row.result);
    if (row.afterMs !== undefined && out.result.kind === "requeue-after")
      expect(out.result.afterMs).toBe(row.afterMs);
    expect(out.obj.status?.observedGeneration).toBe(row.observedGeneration);
    const ready = getCondition(out.obj, "Ready");
    expect(ready === undefined ? undefined : [ready.status, ready.reason]).toEqual(row.ready);
    expect(getCondition(out.obj, "Reconciling")?.reason).toBe(row.reconciling);
    expect(getCondition(out.obj, "Stalled")?.reason).toBe(row.stalled);
    expect(out.events.map((e) => `${e.type}/${e.reason}`)).toEqual(row.events);
  });

  it("echoes the reconcile request on every run, success or failure", () => {
    const obj = {
      ...reconciling,
      metadata: { generation: 2, annotations: { [RECONCILE_REQUEST_ANNOTATION]: "t9" } },
    };
    for (const error of [undefined, new Error("x"), new StallingError("R", "m")]) {
      expect(computeResult(obj, "success", error, options).obj.status?.["lastHandledReconcileAt"]).toBe("t9");
    }
  });

  it("scrubs secrets from conditions and events", () => {
    const err = new Error("clone https://bot:ghp_abcdef@github.com/x failed; token ghp_abcdef");
    const out = computeResult(reconciling, "empty", err, { ...options, secrets: ["ghp_abcdef"] });
    const text = JSON.stringify(out.obj) + JSON.stringify(out.events);
    expect(text).not.toContain("ghp_abcdef");
    expect(text).toContain("https://github.com/x");
  });

  it("attaches event metadata (revision) to failure events", () => {
    const meta = { "source.toolkit.fluxcd.io/revision": "main@sha1:abc" };
    const out = computeResult(reconciling, "empty", new Error("x"), { ...options, eventMetadata: meta });
    expect(out.events[0]?.metadata).toEqual(meta);
  });

  it("does not stamp observedGeneration on an object without conditions", () => {
    const bare: ConditionedObject = { metadata: { generation: 5 } };
    const out = computeResult(bare, "empty", undefined, {
      ...options,
      summary: undefined,
    });
    expect(out.obj.status?.observedGeneration).toBeUndefined();
  });

  it("applies jitter to the success interval", () => {
    const out = computeResult(withArtifact, "success", undefined, { ...options, jitter: (ms) => ms * 1.05 });
    expect(out.result).toEqual({ kind: "requeue-after", afterMs: 63_000 });
  });
});
