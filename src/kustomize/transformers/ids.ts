import type { Gvk, ResId } from "../resource.js";
import { isClusterScoped } from "./cluster-scope.js";

/** Placeholder namespace kustomize gives cluster-scoped objects when comparing ids. */
export const NOT_A_NAMESPACE = "_non_namespaceable_";

/** The namespace an id lives in for comparisons: "" means "default"; cluster-scoped has none. */
export function effectiveNamespace(id: ResId): string {
  if (isClusterScoped(id.gvk)) return NOT_A_NAMESPACE;
  return id.namespace === "" ? "default" : id.namespace;
}

/** The id with its namespace replaced by the effective one, for equality checks. */
export function effectiveId(id: ResId): ResId {
  return { ...id, namespace: effectiveNamespace(id) };
}

/** Whether two GVKs are the same type. */
export function gvkEquals(a: Gvk, b: Gvk): boolean {
  return a.group === b.group && a.version === b.version && a.kind === b.kind;
}

/** kustomize's id equality: same type, same name, same effective namespace. */
export function idEquals(a: ResId, b: ResId): boolean {
  return gvkEquals(a.gvk, b.gvk) && a.name === b.name && effectiveNamespace(a) === effectiveNamespace(b);
}
