import { applyFieldSpec, gvkSelected } from "../fieldspec.js";
import type { FieldSpec } from "../kustomization.js";
import { newPlainScalar, setIn, type Resource } from "../resource.js";
import { foldKeys, REPLICA_SHAPE } from "./fold-keys.js";

/** One `replicas:` entry of a kustomization. */
export interface ReplicaSpec {
  readonly name: string;
  readonly count: number;
}

/**
 * kustomize's replica-count transformer: for each entry, every resource whose current or earlier
 * name equals `name` and whose kind one of the field specs (the `replicas` transformer
 * configuration) selects gets that field set to `count` (created when the spec says so). It is an
 * error when no field spec matches any resource, naming the entry, as in kustomize.
 */
export function applyReplicas(
  resources: readonly Resource[],
  replicas: readonly ReplicaSpec[],
  fieldSpecs: readonly FieldSpec[],
): void {
  for (const raw of replicas) {
    const replica = foldKeys<ReplicaSpec>(raw, REPLICA_SHAPE);
    if (!Number.isSafeInteger(replica.count)) {
      throw new Error(`replicas: count of ${replica.name} must be an integer, got ${String(replica.count)}`);
    }
    let found = false;
    for (const spec of fieldSpecs) {
      const matched = resources.filter((r) =>
        [...r.previousIds, r.id()].some((id) => id.name === replica.name && gvkSelected(id.gvk, spec)),
      );
      if (matched.length > 0) found = true;
      for (const res of matched) {
        applyFieldSpec(res.node, res.gvk(), spec, (parent, key) => setIn(parent, key, newPlainScalar(String(replica.count))));
      }
    }
    if (!found) {
      const gvks = fieldSpecs.map((s) => `${s.kind || "[noKind]"}.${s.version || "[noVer]"}.${s.group || "[noGrp]"}`).join(" ");
      throw new Error(`resource with name ${replica.name} does not match a config with the following GVK [${gvks}]`);
    }
  }
}
