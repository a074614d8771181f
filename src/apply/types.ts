/**
 * Shared shapes of the apply layer: objects as plain JSON and their identity.
 *
 * `KubeObject` lives in `src/util` because substitution and the renderer use it too.
 */
import { groupOf, type KubeObject } from "../util/kube-object.js";

export type { KubeObject, KubeMetadata, ManagedFieldsEntry } from "../util/kube-object.js";
export { formatObject, formatObjectRef } from "../util/kube-object.js";

/** An object's identity without version: what inventories, change sets and prune compare. */
export interface ObjMetadata {
  /** "" for cluster-scoped objects. */
  readonly namespace: string;
  readonly name: string;
  /** "" for the core group. */
  readonly group: string;
  readonly kind: string;
}

/** A group and kind, as in `--custom-apply-stage-kinds`. */
export interface GroupKind {
  readonly group: string;
  readonly kind: string;
}

/** The identity of an object. */
export function objMetadataOf(obj: KubeObject): ObjMetadata {
  return {
    namespace: obj.metadata.namespace ?? "",
    name: obj.metadata.name ?? "",
    group: groupOf(obj.apiVersion),
    kind: obj.kind,
  };
}
