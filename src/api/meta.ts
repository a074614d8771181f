/**
 * Shapes shared by both kinds, mirroring Flux's `fluxcd/pkg/apis/meta` JSON (conditions,
 * references, artifacts). Field names and optionality follow the wire format exactly, because
 * the `flux` CLI and other Flux tools decode these objects into Flux's own Go structs.
 */
import type { KubeMetadata } from "../util/kube-object.js";

/** The three values of `condition.status`, as Kubernetes spells them. */
export const ConditionStatus = {
  True: "True",
  False: "False",
  Unknown: "Unknown",
} as const;
/** One of {@link ConditionStatus}. */
export type ConditionStatus = (typeof ConditionStatus)[keyof typeof ConditionStatus];

/**
 * A `metav1.Condition` as stored in `status.conditions[]`. All fields but `observedGeneration`
 * are required by the CRD schema, so writers must always fill them (an empty message is fine).
 */
export interface Condition {
  type: string;
  status: ConditionStatus;
  /** The object generation the condition was computed from. */
  observedGeneration?: number;
  /** RFC 3339; changes only when `status` changes. */
  lastTransitionTime: string;
  /** CamelCase identifier, see the catalogue in conditions.ts. */
  reason: string;
  message: string;
}

/** A reference to an object in the same namespace (`{name}`), e.g. a Secret. */
export interface LocalObjectReference {
  name: string;
}

/** A Secret in the same namespace plus an optional key (Flux `meta.SecretKeyReference`). */
export interface SecretKeyReference {
  name: string;
  /** Key in the Secret; readers default it where they use it (kubeConfig: `value`). */
  key?: string;
}

/**
 * A packaged source revision served over HTTP (Flux `meta.Artifact`). The source controller
 * writes it into `status.artifact`; consumers download `url` and check `digest`.
 */
export interface Artifact {
  /** Path relative to the storage root, e.g. `gitrepository/<ns>/<name>/<commit>.tar.gz`. */
  path: string;
  /** HTTP address of the file. */
  url: string;
  /** Human-readable revision, e.g. `main@sha1:<hash>`. */
  revision: string;
  /** `<algorithm>:<hex>` of the file bytes, e.g. `sha256:…`. */
  digest: string;
  /** RFC 3339 time the artifact last changed. */
  lastUpdateTime: string;
  /** File size in bytes. */
  size?: number;
  /** Free-form annotations (unused for Git). */
  metadata?: Record<string, string>;
}

/**
 * `status.lastHandledReconcileAt`, mixed into both statuses: the last `requestedAt` annotation
 * value handled, which `flux reconcile` polls to know its request was served.
 */
export type ReconcileRequestStatus = {
  lastHandledReconcileAt?: string;
};

/**
 * The envelope every Flux object shares; `Spec` and `Status` are the kind's own shapes. Status
 * is optional because a freshly created object has none until the API server defaults it.
 * Object, spec and status shapes are type aliases, not interfaces, so they stay assignable to
 * shapes with index signatures (`KubeObject`, the runtime's `ConditionedObject`).
 */
export type FluxObject<Spec, Status> = {
  apiVersion: string;
  kind: string;
  metadata: KubeMetadata;
  spec: Spec;
  status?: Status;
};
