/**
 * Flux's apply stages and kind order (flux-compat §4.1): cluster definitions (CRDs, Namespaces,
 * ClusterRoles) first and waited for, then `*Class` kinds, then custom stage kinds, then the rest;
 * inside a stage objects are sorted by kind rank. Prune walks the same order backwards.
 */
import type { GroupKind, KubeObject, ObjMetadata } from "./types.js";
import { objMetadataOf } from "./types.js";

const FIRST = [
  "CustomResourceDefinition",
  "Namespace",
  "ClusterRole",
  "ClusterClass",
  "RuntimeClass",
  "PriorityClass",
  "StorageClass",
  "VolumeSnapshotClass",
  "IngressClass",
  "GatewayClass",
  "ClusterRoleBinding",
  "ResourceQuota",
  "ServiceAccount",
  "Role",
  "RoleBinding",
  "ConfigMap",
  "Secret",
  "Service",
  "LimitRange",
  "Deployment",
  "StatefulSet",
  "CronJob",
  "PodDisruptionBudget",
];
const LAST = ["MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"];

const RANK = new Map<string, number>([
  ...FIRST.map((k, i): [string, number] => [k, i - FIRST.length]),
  ...LAST.map((k, i): [string, number] => [k, i + 1]),
]);

/** Kind rank: negative for the well-known early kinds, 0 for unknown kinds, positive for webhooks. */
export function kindRank(kind: string): number {
  return RANK.get(kind) ?? 0;
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Flux's object order: kind rank, then group, kind, namespace, name. */
export function compareObjMetadata(a: ObjMetadata, b: ObjMetadata): number {
  if (a.group !== b.group || a.kind !== b.kind) {
    return kindRank(a.kind) - kindRank(b.kind) || cmp(a.group, b.group) || cmp(a.kind, b.kind);
  }
  return cmp(a.namespace, b.namespace) || cmp(a.name, b.name);
}

/** Objects sorted in apply order (a new array). */
export function sortForApply<T extends KubeObject>(objects: readonly T[]): T[] {
  return [...objects].sort((a, b) => compareObjMetadata(objMetadataOf(a), objMetadataOf(b)));
}

/** Identities sorted in prune order: the exact reverse of apply order (webhooks first, CRDs last). */
export function sortForPrune<T extends ObjMetadata>(objects: readonly T[]): T[] {
  return [...objects].sort((a, b) => compareObjMetadata(b, a));
}

const lower = (s: string): string => s.toLowerCase();

/** A CustomResourceDefinition of any `apiextensions.k8s.io` version. */
export function isCRD(obj: KubeObject): boolean {
  return lower(obj.kind) === "customresourcedefinition" && obj.apiVersion.startsWith("apiextensions.k8s.io/");
}

/** A core v1 Namespace. */
export function isNamespace(obj: KubeObject): boolean {
  return lower(obj.kind) === "namespace" && obj.apiVersion === "v1";
}

/** An RBAC ClusterRole. */
export function isClusterRole(obj: KubeObject): boolean {
  return lower(obj.kind) === "clusterrole" && obj.apiVersion.startsWith("rbac.authorization.k8s.io/");
}

/** Stage 1: objects others depend on cluster-wide. */
export function isClusterDefinition(obj: KubeObject): boolean {
  return isCRD(obj) || isNamespace(obj) || isClusterRole(obj);
}

/** Stage 2: any kind whose name ends in `Class` (StorageClass, IngressClass, ...). */
export function isClassDefinition(obj: KubeObject): boolean {
  return obj.kind.endsWith("Class");
}

/** The stage names, in the order they run. */
export type ApplyStageName = "cluster-definitions" | "class-definitions" | "custom" | "resources";

/** One stage: its objects in apply order, and whether the applier waits for them to be Current. */
export interface ApplyStage<T extends KubeObject = KubeObject> {
  readonly name: ApplyStageName;
  readonly objects: T[];
  readonly wait: boolean;
}

function stageOf(obj: KubeObject, custom: readonly GroupKind[]): ApplyStageName {
  if (isClusterDefinition(obj)) return "cluster-definitions";
  if (isClassDefinition(obj)) return "class-definitions";
  const { group, kind } = objMetadataOf(obj);
  if (custom.some((gk) => gk.group === group && gk.kind === kind)) return "custom";
  return "resources";
}

/** Splits objects into Flux's stages (empty stages omitted), each sorted in apply order. */
export function splitStages<T extends KubeObject>(
  objects: readonly T[],
  customStageKinds: readonly GroupKind[] = [],
): ApplyStage<T>[] {
  const order: ApplyStageName[] = ["cluster-definitions", "class-definitions", "custom", "resources"];
  const buckets = new Map<ApplyStageName, T[]>(order.map((n) => [n, []]));
  for (const obj of objects) buckets.get(stageOf(obj, customStageKinds))?.push(obj);
  return order
    .map((name) => ({
      name,
      objects: sortForApply(buckets.get(name) ?? []),
      wait: name === "cluster-definitions" || name === "class-definitions",
    }))
    .filter((s) => s.objects.length > 0);
}
