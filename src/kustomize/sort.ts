import { KustomizeError } from "./errors.js";
import type { Kustomization } from "./kustomization.js";
import type { Gvk, Resource } from "./resource.js";

/** kustomize's default "legacy" order: these kinds first, in this order... */
export const DEFAULT_ORDER_FIRST = [
  "Namespace", "ResourceQuota", "StorageClass", "CustomResourceDefinition", "ServiceAccount",
  "PodSecurityPolicy", "Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding", "ConfigMap",
  "Secret", "Endpoints", "Service", "LimitRange", "PriorityClass", "PersistentVolume",
  "PersistentVolumeClaim", "Deployment", "StatefulSet", "CronJob", "PodDisruptionBudget",
];
/** ...and these last. */
export const DEFAULT_ORDER_LAST = ["MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"];

const gvkSortString = (g: Gvk): string => `${g.group || "~G"}_${g.version || "~V"}_${g.kind || "~K"}`;
const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function legacyCompare(orders: Map<string, number>): (a: Resource, b: Resource) => number {
  return (a, b) => {
    const ga = a.gvk();
    const gb = b.gvk();
    const sa = gvkSortString(ga);
    const sb = gvkSortString(gb);
    if (sa !== sb) {
      const ia = orders.get(ga.kind) ?? 0;
      const ib = orders.get(gb.kind) ?? 0;
      if (ia !== ib) return ia - ib;
      if (ga.kind === "Namespace" && gb.kind === "Namespace" && (ga.group === "" || gb.group === "")) return cmp(sb, sa);
      return cmp(sa, sb);
    }
    return cmp(`${a.namespace() || "~X"}|${a.name() || "~N"}`, `${b.namespace() || "~X"}|${b.name() || "~N"}`);
  };
}

/** Orders the final resources: legacy order by default, or as `sortOptions` says. */
export function sortResources(resources: Resource[], k: Kustomization): Resource[] {
  const opts = k.sortOptions;
  if (opts === undefined || opts === null) return legacySort(resources, DEFAULT_ORDER_FIRST, DEFAULT_ORDER_LAST);
  // An absent order is Go's zero value "", which kustomize's validation refuses (issue 18).
  const order = opts.order ?? "";
  if (order !== "fifo" && order !== "legacy") {
    throw new KustomizeError("the field 'sortOptions.order' must be one of [fifo, legacy]");
  }
  if (order === "fifo") {
    if (opts.legacySortOptions) {
      throw new KustomizeError("the field 'sortOptions.legacySortOptions' is set but the selected sort order is 'fifo', not 'legacy'");
    }
    return resources;
  }
  const l = opts.legacySortOptions;
  return l ? legacySort(resources, l.orderFirst ?? [], l.orderLast ?? []) : legacySort(resources, DEFAULT_ORDER_FIRST, DEFAULT_ORDER_LAST);
}

function legacySort(resources: Resource[], first: readonly string[], last: readonly string[]): Resource[] {
  const orders = new Map<string, number>();
  first.forEach((k, i) => orders.set(k, -first.length + i));
  last.forEach((k, i) => orders.set(k, 1 + i));
  return [...resources].sort(legacyCompare(orders));
}
