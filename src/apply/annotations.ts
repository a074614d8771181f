/**
 * Per-object apply and prune policy from Flux's labels/annotations (flux-compat §4.4).
 *
 * A key counts whether it is a label or an annotation, and values compare case-insensitively.
 * Apply-time checks look at the desired manifest or the live object; prune looks at the live
 * object only, and also requires both owner labels to name this Kustomization.
 */
import { OBJECT_KEYS as PolicyKeys, OWNER_NAME_LABEL, OWNER_NAMESPACE_LABEL } from "../api/constants.js";
import { annotationsOf, labelsOf } from "../util/kube-object.js";
import type { KubeObject } from "./types.js";

type Meta = Pick<KubeObject, "metadata">;

/**
 * True when any `key: value` pair is set as a label or an annotation (non-empty, case-insensitive
 * value), like Flux's `AnyInMetadata`.
 */
export function anyInMetadata(obj: Meta | undefined, selector: Readonly<Record<string, string>>): boolean {
  if (obj === undefined) return false;
  const labels = labelsOf(obj);
  const annotations = annotationsOf(obj);
  const eq = (v: string | undefined, want: string): boolean => !!v && v.toLowerCase() === want.toLowerCase();
  return Object.entries(selector).some(([k, want]) => eq(labels[k], want) || eq(annotations[k], want));
}

const EXCLUDED = { [PolicyKeys.reconcile]: "disabled", [PolicyKeys.ssa]: "Ignore" };

/** How to treat one object on apply. */
export interface ApplyPolicy {
  /** Do not dry-run or apply; report `skipped`. */
  readonly skip: boolean;
  /** Take over kubectl's managedFields and remove stale annotations before applying. */
  readonly cleanup: boolean;
}

/**
 * The apply decision for a desired object and its live counterpart (`undefined` when absent):
 * skipped for `reconcile: disabled` or `ssa: Ignore` on either side, or for `ssa: IfNotPresent`
 * on the desired object once the live object exists; cleanup unless `ssa: Merge` on either side.
 */
export function applyPolicy(desired: Meta, live: Meta | undefined): ApplyPolicy {
  const liveExists = live?.metadata.uid !== undefined && live.metadata.uid !== "";
  const skip =
    anyInMetadata(desired, EXCLUDED) ||
    anyInMetadata(live, EXCLUDED) ||
    (liveExists && anyInMetadata(desired, { [PolicyKeys.ssa]: "IfNotPresent" }));
  const merge = { [PolicyKeys.ssa]: "Merge" };
  return { skip, cleanup: !anyInMetadata(desired, merge) && !anyInMetadata(live, merge) };
}

/**
 * Whether an immutable-field error may be resolved by deleting and recreating the object:
 * `spec.force`, or `force: enabled` on the desired or live object.
 */
export function shouldForceRecreate(specForce: boolean, desired: Meta, live: Meta | undefined): boolean {
  const sel = { [PolicyKeys.force]: "enabled" };
  return specForce || anyInMetadata(desired, sel) || anyInMetadata(live, sel);
}

/**
 * Whether prune (or finalisation) may delete this live object: it must still carry both owner
 * labels with exactly this Kustomization's name and namespace, and not be excluded by
 * `prune: disabled`, `reconcile: disabled` or `ssa: Ignore`.
 */
export function shouldPrune(live: Meta, ksName: string, ksNamespace: string): boolean {
  const labels = labelsOf(live);
  if (labels[OWNER_NAME_LABEL] !== ksName || labels[OWNER_NAMESPACE_LABEL] !== ksNamespace) return false;
  return !anyInMetadata(live, { [PolicyKeys.prune]: "disabled", ...EXCLUDED });
}
