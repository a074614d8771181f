import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../util/kube-object.js";
import { computeStatus } from "./kstatus.js";

const NOW = Date.parse("2026-01-01T00:00:30Z");
const ctx = { now: NOW };
const mk = (
  apiVersion: string,
  kind: string,
  body: Record<string, unknown> = {},
  meta: Record<string, unknown> = {},
): KubeObject => ({
  apiVersion,
  kind,
  metadata: { name: "x", namespace: "ns", ...meta },
  ...body,
});
const cond = (type: string, status: string, reason = "", message = "") => ({ type, status, reason, message });
const status = (o: KubeObject) => computeStatus(o, ctx);

const deployment = (spec: Record<string, unknown>, st: Record<string, unknown>, conditions: unknown[] = []) =>
  mk(
    "apps/v1",
    "Deployment",
    { spec: { progressDeadlineSeconds: 600, ...spec }, status: { observedGeneration: 1, ...st, conditions } },
    { generation: 1 },
  );
const available = [cond("Available", "True"), cond("Progressing", "True", "NewReplicaSetAvailable")];
const full = { replicas: 2, updatedReplicas: 2, readyReplicas: 2, availableReplicas: 2 };

describe("Deployment", () => {
  it.each<[string, KubeObject, string, string]>([
    [
      "healthy",
      deployment({ replicas: 2 }, full, available),
      "Current",
      "Deployment is available. Replicas: 2",
    ],
    [
      "deadline exceeded",
      deployment({ replicas: 2 }, full, [cond("Progressing", "False", "ProgressDeadlineExceeded")]),
      "Failed",
      "Progress deadline exceeded",
    ],
    ["too few replicas", deployment({ replicas: 3 }, full, available), "InProgress", "Replicas: 2/3"],
    [
      "not updated",
      deployment({ replicas: 2 }, { ...full, updatedReplicas: 1 }, available),
      "InProgress",
      "Updated: 1/2",
    ],
    [
      "extra pods",
      deployment({ replicas: 1 }, { ...full, updatedReplicas: 1 }, available),
      "InProgress",
      "Pending termination: 1",
    ],
    [
      "not available",
      deployment({ replicas: 2 }, { ...full, availableReplicas: 1 }, available),
      "InProgress",
      "Available: 1/2",
    ],
    [
      "not ready",
      deployment({ replicas: 2 }, { ...full, readyReplicas: 1 }, available),
      "InProgress",
      "Ready: 1/2",
    ],
    [
      "rollout not finished",
      deployment({ replicas: 2 }, full, [
        cond("Available", "True"),
        cond("Progressing", "True", "ReplicaSetUpdated"),
      ]),
      "InProgress",
      "ReplicaSet not Available",
    ],
    [
      "Available=False",
      deployment({ replicas: 2 }, full, [cond("Progressing", "True", "NewReplicaSetAvailable")]),
      "InProgress",
      "Deployment not Available",
    ],
    ["no status at all (no kubelet)", deployment({ replicas: 1 }, {}), "InProgress", "Replicas: 0/1"],
    [
      "replicas default to 1",
      deployment({}, { replicas: 1, updatedReplicas: 1, readyReplicas: 1, availableReplicas: 1 }, available),
      "Current",
      "Deployment is available. Replicas: 1",
    ],
  ])("%s → %s", (_name, obj, want, message) => {
    expect(status(obj)).toMatchObject({ status: want, message });
  });

  it("without progressDeadlineSeconds only Available matters", () => {
    const d = mk("apps/v1", "Deployment", {
      spec: { replicas: 1 },
      status: {
        replicas: 1,
        updatedReplicas: 1,
        readyReplicas: 1,
        availableReplicas: 1,
        conditions: [cond("Available", "True")],
      },
    });
    expect(status(d).status).toBe("Current");
  });

  it("generic observedGeneration check comes first", () => {
    const d = deployment({ replicas: 2 }, { ...full, observedGeneration: 0 }, available);
    expect(status(d).reason).toBe("LatestGenerationNotObserved");
  });
});

describe("StatefulSet", () => {
  const sts = (spec: Record<string, unknown>, st: Record<string, unknown>) =>
    mk("apps/v1", "StatefulSet", { spec, status: st });
  const ok = {
    replicas: 2,
    readyReplicas: 2,
    currentReplicas: 2,
    updatedReplicas: 2,
    currentRevision: "r1",
    updateRevision: "r1",
  };
  it.each<[string, KubeObject, string, string]>([
    ["healthy", sts({ replicas: 2 }, ok), "Current", "All replicas scheduled as expected. Replicas: 2"],
    [
      "OnDelete",
      sts({ replicas: 2, updateStrategy: { type: "OnDelete" } }, {}),
      "Current",
      "StatefulSet is using the ondelete update strategy",
    ],
    ["too few", sts({ replicas: 3 }, ok), "InProgress", "Replicas: 2/3"],
    ["not ready", sts({ replicas: 2 }, { ...ok, readyReplicas: 1 }), "InProgress", "Ready: 1/2"],
    ["extra", sts({ replicas: 1 }, { ...ok, readyReplicas: 2 }), "InProgress", "Pending termination: 1"],
    [
      "partition rolling",
      sts(
        { replicas: 2, updateStrategy: { rollingUpdate: { partition: 1 } } },
        { ...ok, updatedReplicas: 0 },
      ),
      "InProgress",
      "updated: 0/1",
    ],
    [
      "partition done",
      sts(
        { replicas: 2, updateStrategy: { rollingUpdate: { partition: 1 } } },
        { ...ok, updatedReplicas: 1 },
      ),
      "Current",
      "Partition rollout complete. updated: 1",
    ],
    ["not current", sts({ replicas: 2 }, { ...ok, currentReplicas: 1 }), "InProgress", "current: 1/2"],
    [
      "revision mismatch",
      sts({ replicas: 2 }, { ...ok, updateRevision: "r2" }),
      "InProgress",
      "Waiting for updated revision to match current",
    ],
  ])("%s → %s", (_name, obj, want, message) => {
    expect(status(obj)).toMatchObject({ status: want, message });
  });
});

describe("DaemonSet", () => {
  const ds = (st: Record<string, unknown>, generation?: number) =>
    mk("apps/v1", "DaemonSet", { status: st }, generation === undefined ? {} : { generation });
  const ok = {
    observedGeneration: 1,
    desiredNumberScheduled: 3,
    currentNumberScheduled: 3,
    updatedNumberScheduled: 3,
    numberAvailable: 3,
    numberReady: 3,
  };
  it.each<[string, KubeObject, string, string]>([
    ["healthy", ds(ok, 1), "Current", "All replicas scheduled as expected. Replicas: 3"],
    ["no generation", ds(ok), "InProgress", "DaemonSet metadata.generation not found"],
    [
      "no observedGeneration",
      ds({ ...ok, observedGeneration: undefined }, 1),
      "InProgress",
      "DaemonSet status.observedGeneration not found",
    ],
    [
      "no desired number",
      ds({ observedGeneration: 1 }, 1),
      "InProgress",
      "Missing .status.desiredNumberScheduled",
    ],
    ["not current", ds({ ...ok, currentNumberScheduled: 2 }, 1), "InProgress", "Current: 2/3"],
    ["not updated", ds({ ...ok, updatedNumberScheduled: 2 }, 1), "InProgress", "Updated: 2/3"],
    ["not available", ds({ ...ok, numberAvailable: 2 }, 1), "InProgress", "Available: 2/3"],
    ["not ready", ds({ ...ok, numberReady: 2 }, 1), "InProgress", "Ready: 2/3"],
  ])("%s → %s", (_name, obj, want, message) => {
    expect(status(obj)).toMatchObject({ status: want, message });
  });
});

describe("ReplicaSet", () => {
  const rs = (st: Record<string, unknown>, conditions: unknown[] = []) =>
    mk("apps/v1", "ReplicaSet", { spec: { replicas: 2 }, status: { ...st, conditions } });
  const ok = { replicas: 2, readyReplicas: 2, availableReplicas: 2, fullyLabeledReplicas: 2 };
  it.each<[string, KubeObject, string, string]>([
    ["healthy", rs(ok), "Current", "ReplicaSet is available. Replicas: 2"],
    [
      "replica failure",
      rs(ok, [cond("ReplicaFailure", "True")]),
      "InProgress",
      "Replica Failure condition. Check Pods",
    ],
    ["not labelled", rs({ ...ok, fullyLabeledReplicas: 1 }), "InProgress", "Labelled: 1/2"],
    ["not available", rs({ ...ok, availableReplicas: 1 }), "InProgress", "Available: 1/2"],
    ["not ready", rs({ ...ok, readyReplicas: 1 }), "InProgress", "Ready: 1/2"],
    ["extra", rs({ ...ok, replicas: 3 }), "InProgress", "Pending termination: 1"],
  ])("%s → %s", (_name, obj, want, message) => {
    expect(status(obj)).toMatchObject({ status: want, message });
  });
});

describe("Pod", () => {
  const pod = (st: Record<string, unknown>, created = "2026-01-01T00:00:00Z") =>
    mk("v1", "Pod", { status: st }, { creationTimestamp: created });
  it.each<[string, KubeObject, string, string]>([
    ["succeeded", pod({ phase: "Succeeded" }), "Current", "Pod has completed successfully"],
    [
      "failed phase is Current",
      pod({ phase: "Failed" }),
      "Current",
      "Pod has completed, but not successfully",
    ],
    [
      "running and ready",
      pod({ phase: "Running", conditions: [cond("Ready", "True")] }),
      "Current",
      "Pod is Ready",
    ],
    ["running, not ready", pod({ phase: "Running" }), "InProgress", "Pod is running but is not Ready"],
    [
      "crash looping",
      pod({
        phase: "Running",
        containerStatuses: [
          { name: "a", state: { waiting: { reason: "CrashLoopBackOff" } } },
          { name: "b", state: { running: {} } },
        ],
      }),
      "Failed",
      "Containers in CrashLoop state: a",
    ],
    ["pending", pod({ phase: "Pending" }), "InProgress", "Pod is in the Pending phase"],
    [
      "unschedulable within 15s",
      pod(
        { phase: "Pending", conditions: [cond("PodScheduled", "False", "Unschedulable")] },
        "2026-01-01T00:00:20Z",
      ),
      "InProgress",
      "Pod has not been scheduled",
    ],
    [
      "unschedulable after 15s",
      pod({ phase: "Pending", conditions: [cond("PodScheduled", "False", "Unschedulable")] }),
      "Failed",
      "Pod could not be scheduled",
    ],
    ["no phase", pod({}), "InProgress", "Pod phase not available"],
    ["unknown phase", pod({ phase: "Weird" }), "Unknown", "unknown phase Weird"],
  ])("%s → %s", (_name, obj, want, message) => {
    expect(status(obj)).toMatchObject({ status: want, message });
  });
});

describe("Job (Flux's reader)", () => {
  const job = (
    spec: Record<string, unknown>,
    st: Record<string, unknown>,
    meta: Record<string, unknown> = {},
  ) => mk("batch/v1", "Job", { spec, status: st }, meta);
  it.each<[string, KubeObject, string, string]>([
    [
      "complete",
      job({ completions: 1 }, { succeeded: 1, conditions: [cond("Complete", "True")] }),
      "Current",
      "Job Completed. succeeded: 1/1",
    ],
    [
      "failed",
      job({}, { failed: 6, conditions: [cond("Failed", "True")] }),
      "Failed",
      "Job Failed. failed: 6/1",
    ],
    ["suspended", job({ suspend: true }, {}), "Current", "Job is suspended"],
    ["not started", job({ parallelism: 2 }, {}), "InProgress", "Job not started. active: 0/2"],
    [
      "running is not Current (unlike upstream kstatus)",
      job({}, { startTime: "t", active: 1 }),
      "InProgress",
      "Job in progress. success:0, active: 1, failed: 0",
    ],
    [
      "ignores generic generation rules",
      job(
        {},
        { observedGeneration: 0, succeeded: 1, conditions: [cond("Complete", "True")] },
        { generation: 5 },
      ),
      "Current",
      "Job Completed. succeeded: 1/1",
    ],
  ])("%s → %s", (_name, obj, want, message) => {
    expect(status(obj)).toMatchObject({ status: want, message });
  });
});
