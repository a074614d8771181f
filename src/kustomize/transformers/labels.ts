import { isMap, YAMLMap } from "yaml";
import { applyFieldSpec } from "../fieldspec.js";
import type { FieldSpec } from "../kustomization.js";
import { newStringScalar, setIn, type Resource } from "../resource.js";

/**
 * Sets string pairs (labels or annotations) in every configured map field of every resource,
 * creating the map where the field spec says so. Used for commonLabels, labels and
 * commonAnnotations.
 */
export function setPairs(resources: Resource[], pairs: Record<string, string>, specs: readonly FieldSpec[]): void {
  const entries = Object.entries(pairs);
  if (entries.length === 0) return;
  for (const r of resources) {
    const gvk = r.gvk();
    for (const spec of specs) {
      applyFieldSpec(r.node, gvk, spec, (parent, key, value) => {
        let map = value;
        if (!isMap(map)) {
          map = new YAMLMap();
          setIn(parent, key, map);
        }
        for (const [k, v] of entries) setIn(map as YAMLMap, k, newStringScalar(v === null ? "" : String(v)));
      });
    }
  }
}
