/**
 * kstatus rules for workloads: replica counters for Deployments, StatefulSets, DaemonSets and
 * ReplicaSets, Pod phases, and Flux's Job reader (Current only when complete).
 */
import type { KubeObject } from "../../util/kube-object.js";
import { conditionsOf, findCondition, getField, getInt, getString } from "./conditions.js";
import { current, failed, inProgress, type StatusContext, type StatusResult } from "./result.js";

const MAX_INT32 = 2147483647;
const SCHEDULE_WINDOW_MS = 15_000;

/** First failing replica check, as [reason, message]; undefined when all pass. */
type Check = readonly [boolean, string, string];
const firstFailing = (checks: readonly Check[]): StatusResult | undefined => {
  const hit = checks.find(([bad]) => bad);
  return hit ? inProgress(hit[1], hit[2]) : undefined;
};

/** Deployment: Failed on ProgressDeadlineExceeded; else counters, then Progressing/Available. */
export function deploymentStatus(obj: KubeObject): StatusResult {
  let progressing = getInt(obj, "spec.progressDeadlineSeconds", MAX_INT32) === MAX_INT32;
  let available = false;
  for (const c of conditionsOf(obj)) {
    if (c.type === "Progressing" && c.reason === "ProgressDeadlineExceeded") {
      return failed(c.reason, "Progress deadline exceeded");
    }
    if (c.type === "Progressing" && c.status === "True" && c.reason === "NewReplicaSetAvailable")
      progressing = true;
    if (c.type === "Available" && c.status === "True") available = true;
  }
  const spec = getInt(obj, "spec.replicas", 1);
  const replicas = getInt(obj, "status.replicas", 0);
  const updated = getInt(obj, "status.updatedReplicas", 0);
  const ready = getInt(obj, "status.readyReplicas", 0);
  const avail = getInt(obj, "status.availableReplicas", 0);
  return (
    firstFailing([
      [spec > replicas, "LessReplicas", `Replicas: ${replicas}/${spec}`],
      [spec > updated, "LessUpdated", `Updated: ${updated}/${spec}`],
      [replicas > spec, "ExtraPods", `Pending termination: ${replicas - spec}`],
      [updated > avail, "LessAvailable", `Available: ${avail}/${updated}`],
      [spec > ready, "LessReady", `Ready: ${ready}/${spec}`],
      [!progressing, "ReplicaSetNotAvailable", "ReplicaSet not Available"],
      [!available, "DeploymentNotAvailable", "Deployment not Available"],
    ]) ?? current(`Deployment is available. Replicas: ${replicas}`)
  );
}

/** StatefulSet: OnDelete is user-managed (Current); else counters, partition, revisions. */
export function statefulSetStatus(obj: KubeObject): StatusResult {
  if (getString(obj, "spec.updateStrategy.type", "") === "OnDelete") {
    return current("StatefulSet is using the ondelete update strategy");
  }
  const spec = getInt(obj, "spec.replicas", 1);
  const ready = getInt(obj, "status.readyReplicas", 0);
  const currentReplicas = getInt(obj, "status.currentReplicas", 0);
  const updated = getInt(obj, "status.updatedReplicas", 0);
  const replicas = getInt(obj, "status.replicas", 0);
  const partition = getInt(obj, "spec.updateStrategy.rollingUpdate.partition", -1);
  const counters = firstFailing([
    [spec > replicas, "LessReplicas", `Replicas: ${replicas}/${spec}`],
    [spec > ready, "LessReady", `Ready: ${ready}/${spec}`],
    [replicas > spec, "ExtraPods", `Pending termination: ${replicas - spec}`],
  ]);
  if (counters) return counters;
  if (partition !== -1) {
    if (updated < spec - partition)
      return inProgress("PartitionRollout", `updated: ${updated}/${spec - partition}`);
    return current(`Partition rollout complete. updated: ${updated}`);
  }
  return (
    firstFailing([
      [spec > currentReplicas, "LessCurrent", `current: ${currentReplicas}/${spec}`],
      [
        getString(obj, "status.currentRevision", "") !== getString(obj, "status.updateRevision", ""),
        "RevisionMismatch",
        "Waiting for updated revision to match current",
      ],
    ]) ?? current(`All replicas scheduled as expected. Replicas: ${replicas}`)
  );
}

/** DaemonSet: needs generation and observedGeneration, then the scheduling counters. */
export function daemonSetStatus(obj: KubeObject): StatusResult {
  if (typeof getField(obj, "metadata.generation") !== "number") {
    return inProgress("NoGeneration", `${obj.kind} metadata.generation not found`);
  }
  if (typeof getField(obj, "status.observedGeneration") !== "number") {
    return inProgress("NoObservedGeneration", `${obj.kind} status.observedGeneration not found`);
  }
  const desired = getInt(obj, "status.desiredNumberScheduled", -1);
  const cur = getInt(obj, "status.currentNumberScheduled", 0);
  const updated = getInt(obj, "status.updatedNumberScheduled", 0);
  const avail = getInt(obj, "status.numberAvailable", 0);
  const ready = getInt(obj, "status.numberReady", 0);
  return (
    firstFailing([
      [desired === -1, "NoDesiredNumber", "Missing .status.desiredNumberScheduled"],
      [desired > cur, "LessCurrent", `Current: ${cur}/${desired}`],
      [desired > updated, "LessUpdated", `Updated: ${updated}/${desired}`],
      [desired > avail, "LessAvailable", `Available: ${avail}/${desired}`],
      [desired > ready, "LessReady", `Ready: ${ready}/${desired}`],
    ]) ?? current(`All replicas scheduled as expected. Replicas: ${desired}`)
  );
}

/** ReplicaSet: ReplicaFailure condition, then labelled/available/ready counters. */
export function replicaSetStatus(obj: KubeObject): StatusResult {
  if (findCondition(obj, "ReplicaFailure", "True")) {
    return inProgress("ReplicaFailure", "Replica Failure condition. Check Pods");
  }
  const spec = getInt(obj, "spec.replicas", 1);
  const replicas = getInt(obj, "status.replicas", 0);
  const ready = getInt(obj, "status.readyReplicas", 0);
  const avail = getInt(obj, "status.availableReplicas", 0);
  const labelled = getInt(obj, "status.fullyLabeledReplicas", 0);
  return (
    firstFailing([
      [spec > labelled, "LessLabelled", `Labelled: ${labelled}/${spec}`],
      [spec > avail, "LessAvailable", `Available: ${avail}/${spec}`],
      [spec > ready, "LessReady", `Ready: ${ready}/${spec}`],
      [replicas > spec, "ExtraPods", `Pending termination: ${replicas - spec}`],
    ]) ?? current(`ReplicaSet is available. Replicas: ${replicas}`)
  );
}

function crashLooping(obj: KubeObject): string[] {
  const statuses = getField(obj, "status.containerStatuses");
  if (!Array.isArray(statuses)) return [];
  return statuses
    .filter(
      (cs) =>
        getString(cs, "state.waiting.reason", "") === "CrashLoopBackOff" &&
        typeof getField(cs, "name") === "string",
    )
    .map((cs) => getString(cs, "name", ""));
}

function pendingPodStatus(obj: KubeObject, ctx: StatusContext): StatusResult {
  const unschedulable = conditionsOf(obj).find((c) => c.type === "PodScheduled" && c.status === "False");
  if (unschedulable?.reason !== "Unschedulable")
    return inProgress("PodPending", "Pod is in the Pending phase");
  const created = Date.parse(obj.metadata.creationTimestamp ?? "");
  if (!Number.isNaN(created) && ctx.now - SCHEDULE_WINDOW_MS < created) {
    return inProgress("PodNotScheduled", "Pod has not been scheduled");
  }
  return failed("PodUnschedulable", "Pod could not be scheduled");
}

/** Pod phases; a finished Pod (Succeeded or Failed) is Current. Throws on an unknown phase. */
export function podStatus(obj: KubeObject, ctx: StatusContext): StatusResult {
  const phase = getString(obj, "status.phase", "");
  switch (phase) {
    case "Succeeded":
      return current("Pod has completed successfully");
    case "Failed":
      return current("Pod has completed, but not successfully");
    case "Running": {
      if (findCondition(obj, "Ready", "True")) return current("Pod is Ready");
      const looping = crashLooping(obj);
      if (looping.length > 0)
        return failed("ContainerCrashLooping", `Containers in CrashLoop state: ${looping.join(",")}`);
      return inProgress("PodRunningNotReady", "Pod is running but is not Ready");
    }
    case "Pending":
      return pendingPodStatus(obj, ctx);
    case "":
      return inProgress("PodNotObserved", "Pod phase not available");
    default:
      throw new Error(`unknown phase ${phase}`);
  }
}

/** Flux's Job reader: suspended or Complete ⇒ Current; Failed ⇒ Failed; else InProgress. */
export function jobStatus(obj: KubeObject): StatusResult {
  if (getField(obj, "spec.suspend") === true) return current("Job is suspended");
  const parallelism = getInt(obj, "spec.parallelism", 1);
  const completions = getInt(obj, "spec.completions", parallelism);
  const active = getInt(obj, "status.active", 0);
  const succeeded = getInt(obj, "status.succeeded", 0);
  const failedCount = getInt(obj, "status.failed", 0);
  for (const c of conditionsOf(obj)) {
    if (c.type === "Complete" && c.status === "True")
      return current(`Job Completed. succeeded: ${succeeded}/${completions}`);
    if (c.type === "Failed" && c.status === "True")
      return failed("JobFailed", `Job Failed. failed: ${failedCount}/${completions}`);
  }
  if (getString(obj, "status.startTime", "") === "") {
    return inProgress("JobNotStarted", `Job not started. active: 0/${parallelism}`);
  }
  return inProgress(
    "JobInProgress",
    `Job in progress. success:${succeeded}, active: ${active}, failed: ${failedCount}`,
  );
}
