/**
 * kstatus: the status of one live object, as Flux's health checks compute it (flux-compat §4.8,
 * fluxcd/cli-utils `status.Compute` plus Flux's Job reader). Generic rules first (deletion,
 * observedGeneration, Reconciling/Stalled conditions), then built-in kinds, then `Ready`.
 */
import { groupOf, type KubeObject } from "../../util/kube-object.js";
import { conditionsOf, getField, getString } from "./conditions.js";
import { current, failed, inProgress, type StatusContext, type StatusResult } from "./result.js";
import {
  daemonSetStatus,
  deploymentStatus,
  jobStatus,
  podStatus,
  replicaSetStatus,
  statefulSetStatus,
} from "./kstatus-workloads.js";

export type { KStatus, StatusContext, StatusResult } from "./result.js";

type Rule = (obj: KubeObject, ctx: StatusContext) => StatusResult;

const alwaysReady: Rule = () => current("Resource is always ready");

const pvcStatus: Rule = (obj) => {
  const phase = getString(obj, "status.phase", "unknown");
  return phase === "Bound"
    ? current("PVC is Bound")
    : inProgress("NotBound", `PVC is not Bound. phase: ${phase}`);
};

const serviceStatus: Rule = (obj) => {
  const type = getString(obj, "spec.type", "ClusterIP");
  if (type === "LoadBalancer" && getString(obj, "spec.clusterIP", "") === "") {
    return inProgress("NoIPAssigned", "ClusterIP not set. Service type: LoadBalancer");
  }
  return current("Service is ready");
};

const crdStatus: Rule = (obj) => {
  for (const c of conditionsOf(obj)) {
    if (c.type === "NamesAccepted" && c.status === "False") return failed(c.reason, c.message);
    if (c.type !== "Established") continue;
    if (c.status === "False" && c.reason !== "Installing") return failed(c.reason, c.message);
    if (c.status === "True") return current("CRD is established");
  }
  return inProgress("Installing", "Install in progress");
};

/** Built-in kinds by `group/Kind` (`Kind` for the core group). */
const RULES: Readonly<Record<string, Rule>> = {
  Service: serviceStatus,
  Pod: podStatus,
  Secret: alwaysReady,
  ConfigMap: alwaysReady,
  PersistentVolumeClaim: pvcStatus,
  "apps/StatefulSet": statefulSetStatus,
  "apps/DaemonSet": daemonSetStatus,
  "extensions/DaemonSet": daemonSetStatus,
  "apps/Deployment": deploymentStatus,
  "extensions/Deployment": deploymentStatus,
  "apps/ReplicaSet": replicaSetStatus,
  "extensions/ReplicaSet": replicaSetStatus,
  "policy/PodDisruptionBudget": () => current("AllowedDisruptions has been computed."),
  "batch/CronJob": alwaysReady,
  "apiextensions.k8s.io/CustomResourceDefinition": crdStatus,
};

const ruleKey = (obj: KubeObject): string => {
  const g = groupOf(obj.apiVersion);
  return g === "" ? obj.kind : `${g}/${obj.kind}`;
};

const isDeleting = (obj: KubeObject): boolean =>
  typeof obj.metadata.deletionTimestamp === "string" && obj.metadata.deletionTimestamp !== "";

/** Deletion, generation and the standard Reconciling/Stalled conditions. */
function genericStatus(obj: KubeObject): StatusResult | undefined {
  if (isDeleting(obj)) return { status: "Terminating", message: "Resource scheduled for deletion" };
  const generation = getField(obj, "metadata.generation");
  const observed = getField(obj, "status.observedGeneration");
  if (typeof generation === "number" && typeof observed === "number" && generation !== observed) {
    return inProgress(
      "LatestGenerationNotObserved",
      `${obj.kind} generation is ${generation}, but latest observed generation is ${observed}`,
    );
  }
  for (const c of conditionsOf(obj)) {
    if (c.type === "Reconciling" && c.status === "True") return inProgress(c.reason, c.message);
    if (c.type === "Stalled" && c.status === "True") return failed(c.reason, c.message);
  }
  return undefined;
}

/** Custom resources: `Ready` decides; no conditions at all means Current. */
function readyStatus(obj: KubeObject): StatusResult {
  const ready = conditionsOf(obj).find(
    (c) => c.type === "Ready" && ["True", "False", "Unknown"].includes(c.status),
  );
  if (ready === undefined) return current("Resource is current");
  return ready.status === "True" ? current("Resource is Ready") : inProgress(ready.reason, ready.message);
}

/**
 * The kstatus of a live object (`undefined`: not found). `healthCheckExprs` rules decide first
 * for the kinds they cover. Jobs use Flux's reader, which skips the generic rules and is Current
 * only once complete.
 */
export function computeStatus(obj: KubeObject | undefined, ctx: StatusContext): StatusResult {
  if (obj === undefined) return { status: "NotFound", message: "Resource not found" };
  try {
    const custom = ctx.custom?.statusOf(obj);
    if (custom !== undefined) return custom;
    if (ruleKey(obj) === "batch/Job") return jobStatus(obj);
    const rule = RULES[ruleKey(obj)];
    return genericStatus(obj) ?? (rule ? rule(obj, ctx) : readyStatus(obj));
  } catch (e) {
    return { status: "Unknown", message: e instanceof Error ? e.message : String(e) };
  }
}
