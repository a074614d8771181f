import { isMap, isScalar, YAMLMap, type Scalar } from "yaml";
import { applyFieldSpec } from "../fieldspec.js";
import type { FieldSpec } from "../kustomization.js";
import { newStringScalar, setIn, type Resource } from "../resource.js";

/**
 * Sets string pairs (labels or annotations) in every configured map field of every resource,
 * creating the map where the field spec says so. Used for commonLabels, labels and
 * commonAnnotations.
 *
 * Like kustomize's SetEntry, one value node per resource and key goes into every field that lacks
 * the key, and a field that has it gets the new value written into its node: so a later write to
 * one of the shared places shows in all of them, as in kustomize (issue 18: a second `labels`
 * entry without includeTemplates still changes the template label the first one added).
 */
export function setPairs(resources: Resource[], pairs: Record<string, string>, specs: readonly FieldSpec[]): void {
  const entries = Object.entries(pairs);
  if (entries.length === 0) return;
  for (const r of resources) {
    const gvk = r.gvk();
    for (const [k, v] of entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const shared = newStringScalar(v === null ? "" : String(v));
      for (const spec of specs) {
        applyFieldSpec(r.node, gvk, spec, (parent, key, value) => {
          let map = value;
          if (!isMap(map)) {
            map = new YAMLMap();
            setIn(parent, key, map);
          }
          setShared(map as YAMLMap, k, shared);
        });
      }
    }
  }
}

/** kyaml's FieldSetter: an existing node takes the new content in place; a new key gets the node. */
function setShared(map: YAMLMap, key: string, node: Scalar): void {
  const existing = map.get(key, true);
  if (isScalar(existing)) {
    if (existing === node) return;
    existing.value = node.value;
    existing.type = node.type;
    existing.tag = node.tag;
    return;
  }
  setIn(map, key, node);
}
