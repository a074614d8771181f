import { isMap, isSeq } from "yaml";
import { KustomizeError } from "../errors.js";
import { applyFieldSpec } from "../fieldspec.js";
import type { FieldSpec } from "../kustomization.js";
import { getIn, newStringScalar, resIdString, scalarText, setIn, type Resource } from "../resource.js";
import { isClusterScoped } from "./cluster-scope.js";
import { effectiveId } from "./ids.js";

/**
 * kustomize's `namespace:`: sets metadata.namespace on namespaced objects, the namespace of
 * RoleBinding subjects named `default`, renames Namespace objects, and any configured fields.
 * Records the previous id so references can be fixed later; fails if two objects collide.
 */
export function setNamespace(resources: Resource[], namespace: string, specs: readonly FieldSpec[]): void {
  for (const r of resources) {
    r.rememberId();
    const gvk = r.gvk();
    if (!isClusterScoped(gvk)) r.setNamespace(namespace);
    if (gvk.kind === "RoleBinding" || gvk.kind === "ClusterRoleBinding") setDefaultSubjects(r, namespace);
    for (const spec of specs) {
      if (spec.path === "metadata/namespace") continue;
      if (spec.path === "metadata/name" && r.apiVersion() !== "v1") continue;
      applyFieldSpec(r.node, gvk, spec, (parent, key) => setIn(parent, key, newStringScalar(namespace)));
    }
  }
  const seen = new Set<string>();
  for (const r of resources) {
    const key = resIdString(effectiveId(r.id()));
    if (seen.has(key)) throw new KustomizeError(`namespace transformation produces ID conflict: ${key}`);
    seen.add(key);
  }
}

function setDefaultSubjects(r: Resource, namespace: string): void {
  const subjects = getIn(r.node, "subjects");
  if (!isSeq(subjects)) return;
  for (const s of subjects.items) {
    if (isMap(s) && scalarText(getIn(s, "name")) === "default") setIn(s, "namespace", newStringScalar(namespace));
  }
}
