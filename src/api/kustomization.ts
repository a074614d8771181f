/**
 * `kustomize.toolkit.fluxcd.io/v1` Kustomization: spec and status as JSON (flux-compat §3.1,
 * §3.2) and the defaults Flux computes in code (retry interval, timeout, deletion policy).
 */
import { parseDuration } from "../util/duration.js";
import type { Condition, FluxObject, ReconcileRequestStatus } from "./meta.js";
import type { MooringStatus } from "./mooring.js";
import {
  type BuildMetadataOption,
  type CommonMetadata,
  type CrossNamespaceSourceReference,
  type CustomHealthCheck,
  type Decryption,
  DeletionPolicy,
  type DependencyReference,
  type IgnoreRule,
  type Image,
  type KubeConfigReference,
  type NamespacedObjectKindReference,
  type Patch,
  type PostBuild,
} from "./kustomization-parts.js";

/** `spec` of a Kustomization. */
export type KustomizationSpec = {
  sourceRef: CrossNamespaceSourceReference;
  /** Path inside the artifact; empty means its root. */
  path?: string;
  /** Go duration; success requeue period. */
  interval: string;
  /** Go duration; failure requeue period, defaults to `interval`. */
  retryInterval?: string;
  /** Go duration; see {@link kustomizationTimeout}. */
  timeout?: string;
  prune: boolean;
  deletionPolicy?: DeletionPolicy;
  wait?: boolean;
  healthChecks?: NamespacedObjectKindReference[];
  healthCheckExprs?: CustomHealthCheck[];
  dependsOn?: DependencyReference[];
  targetNamespace?: string;
  namePrefix?: string;
  nameSuffix?: string;
  patches?: Patch[];
  images?: Image[];
  components?: string[];
  ignoreMissingComponents?: boolean;
  buildMetadata?: BuildMetadataOption[];
  commonMetadata?: CommonMetadata;
  postBuild?: PostBuild;
  serviceAccountName?: string;
  kubeConfig?: KubeConfigReference;
  decryption?: Decryption;
  /** Defaults to false (CRD). */
  force?: boolean;
  suspend?: boolean;
  ignore?: IgnoreRule[];
};

/** `status.inventory`: every object of the last successful build. */
export interface ResourceInventory {
  entries: ResourceRef[];
}

/** One inventory entry: `id` = `<namespace>_<name>_<group>_<Kind>`, `v` = version (`v1`). */
export interface ResourceRef {
  id: string;
  v: string;
}

/** `status.history[]`: one snapshot of a distinct (digest, status) reconcile outcome. */
export interface HistorySnapshot {
  /** sha256 of the built YAML. */
  digest: string;
  firstReconciled: string;
  lastReconciled: string;
  /** Go duration string as metav1.Duration writes it (e.g. `1.5s`). */
  lastReconciledDuration: string;
  /** The Ready reason of the run. */
  lastReconciledStatus: string;
  totalReconciliations: number;
  /** `revision`, and `originRevision` when known. */
  metadata?: Record<string, string>;
}

/** `status` of a Kustomization. */
export type KustomizationStatus = ReconcileRequestStatus & {
  /** The CRD defaults it to -1 so "never reconciled" differs from generation 0. */
  observedGeneration?: number;
  conditions?: Condition[];
  lastAppliedRevision?: string;
  lastAppliedOriginRevision?: string;
  lastAttemptedRevision?: string;
  inventory?: ResourceInventory;
  /** Newest first, at most {@link KUSTOMIZATION_HISTORY_LIMIT}. */
  history?: HistorySnapshot[];
  /** mooring's own fields (drift corrections); never one of Flux's. */
  mooring?: MooringStatus;
};

/** A Kustomization object. */
export type Kustomization = FluxObject<KustomizationSpec, KustomizationStatus>;

/** Snapshots kept in `status.history`. */
export const KUSTOMIZATION_HISTORY_LIMIT = 5;
/** Floor of the Kustomization timeout, and the margin subtracted from `interval` by default. */
export const KUSTOMIZATION_MIN_TIMEOUT_MS = 30_000;

/** `spec.interval` in milliseconds. Throws DurationParseError for a malformed value. */
export function kustomizationInterval(spec: Pick<KustomizationSpec, "interval">): number {
  return parseDuration(spec.interval);
}

/** Requeue after a failed reconcile: `retryInterval`, else `interval` (Flux `GetRetryInterval`). */
export function kustomizationRetryInterval(
  spec: Pick<KustomizationSpec, "interval" | "retryInterval">,
): number {
  return parseDuration(spec.retryInterval ?? spec.interval);
}

/**
 * Health-check and termination wait budget (Flux `GetTimeout`): `timeout`, else
 * `interval − 30s`; anything under 30 s becomes 30 s, an explicit smaller value included.
 */
export function kustomizationTimeout(spec: Pick<KustomizationSpec, "interval" | "timeout">): number {
  const ms =
    spec.timeout === undefined
      ? parseDuration(spec.interval) - KUSTOMIZATION_MIN_TIMEOUT_MS
      : parseDuration(spec.timeout);
  return Math.max(ms, KUSTOMIZATION_MIN_TIMEOUT_MS);
}

/** The deletion policy, `MirrorPrune` when unset. */
export function kustomizationDeletionPolicy(spec: Pick<KustomizationSpec, "deletionPolicy">): DeletionPolicy {
  return spec.deletionPolicy || DeletionPolicy.MirrorPrune;
}

/** Namespace of the source: `sourceRef.namespace`, else the Kustomization's own. */
export function sourceRefNamespace(obj: Pick<Kustomization, "metadata" | "spec">): string {
  return obj.spec.sourceRef.namespace || (obj.metadata.namespace ?? "");
}

/** Namespace of a dependency: its own, else the Kustomization's. */
export function dependencyNamespace(dep: DependencyReference, ownerNamespace: string): string {
  return dep.namespace || ownerNamespace;
}

/** Health-check apiVersion, `apps/v1` when empty (Flux's default for workloads). */
export function healthCheckApiVersion(ref: NamespacedObjectKindReference): string {
  return ref.apiVersion || "apps/v1";
}
