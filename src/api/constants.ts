/**
 * Names that must match Flux byte for byte: API groups, kinds, plurals, the finalizer, and the
 * annotation and label keys users and the `flux` CLI put on objects. One place, so no controller
 * spells them differently.
 */

/** API group of GitRepository (and Flux's other sources). */
export const SOURCE_GROUP = "source.toolkit.fluxcd.io";
/** API group of Kustomization. */
export const KUSTOMIZE_GROUP = "kustomize.toolkit.fluxcd.io";
/** The only served version of both kinds. */
export const API_VERSION = "v1";

/** Names of the GitRepository resource (REST path, kubectl names, list kind). */
export const GIT_REPOSITORY = {
  group: SOURCE_GROUP,
  version: API_VERSION,
  apiVersion: `${SOURCE_GROUP}/${API_VERSION}`,
  kind: "GitRepository",
  listKind: "GitRepositoryList",
  plural: "gitrepositories",
  singular: "gitrepository",
  shortNames: ["gitrepo"],
  categories: ["all", "fluxcd", "fluxcd-sources"],
  crdName: `gitrepositories.${SOURCE_GROUP}`,
} as const;

/** Names of the OCIRepository resource (REST path, kubectl names, list kind). */
export const OCI_REPOSITORY = {
  group: SOURCE_GROUP,
  version: API_VERSION,
  apiVersion: `${SOURCE_GROUP}/${API_VERSION}`,
  kind: "OCIRepository",
  listKind: "OCIRepositoryList",
  plural: "ocirepositories",
  singular: "ocirepository",
  shortNames: ["ocirepo"],
  categories: ["all", "fluxcd", "fluxcd-sources"],
  crdName: `ocirepositories.${SOURCE_GROUP}`,
} as const;

/**
 * Names of the ExternalArtifact resource: an artifact produced outside source-controller (here by
 * the ArtifactGenerator controller) that Kustomizations consume like any source's.
 */
export const EXTERNAL_ARTIFACT = {
  group: SOURCE_GROUP,
  version: API_VERSION,
  apiVersion: `${SOURCE_GROUP}/${API_VERSION}`,
  kind: "ExternalArtifact",
  listKind: "ExternalArtifactList",
  plural: "externalartifacts",
  singular: "externalartifact",
  shortNames: ["ea"],
  categories: ["all", "fluxcd", "fluxcd-sources"],
  crdName: `externalartifacts.${SOURCE_GROUP}`,
} as const;

/** API group of Flux's source-watcher (ArtifactGenerator). */
export const SOURCE_EXTENSIONS_GROUP = "source.extensions.fluxcd.io";

/** Names of the ArtifactGenerator resource (source-watcher's `v1beta1`). */
export const ARTIFACT_GENERATOR = {
  group: SOURCE_EXTENSIONS_GROUP,
  version: "v1beta1",
  apiVersion: `${SOURCE_EXTENSIONS_GROUP}/v1beta1`,
  kind: "ArtifactGenerator",
  listKind: "ArtifactGeneratorList",
  plural: "artifactgenerators",
  singular: "artifactgenerator",
  shortNames: ["ag"],
  categories: ["all", "fluxcd", "fluxcd-sources"],
  crdName: `artifactgenerators.${SOURCE_EXTENSIONS_GROUP}`,
} as const;

/** Names of the Kustomization resource (REST path, kubectl names, list kind). */
export const KUSTOMIZATION = {
  group: KUSTOMIZE_GROUP,
  version: API_VERSION,
  apiVersion: `${KUSTOMIZE_GROUP}/${API_VERSION}`,
  kind: "Kustomization",
  listKind: "KustomizationList",
  plural: "kustomizations",
  singular: "kustomization",
  shortNames: ["ks"],
  categories: ["all", "fluxcd", "fluxcd-appliers"],
  crdName: `kustomizations.${KUSTOMIZE_GROUP}`,
} as const;

/** Finalizer both controllers put on their objects (Flux `SourceFinalizer`/`KustomizationFinalizer`). */
export const FINALIZER = "finalizers.fluxcd.io";

/**
 * Annotation that requests an immediate reconcile; a changed value is a new request, and the
 * handled value is echoed in `status.lastHandledReconcileAt` (`flux reconcile` waits on that).
 */
export const RECONCILE_REQUEST_ANNOTATION = "reconcile.fluxcd.io/requestedAt";
/** Label on a ConfigMap/Secret (value `Enabled`) so changes re-trigger Kustomizations that read it. */
export const WATCH_LABEL = "reconcile.fluxcd.io/watch";
/** Value of {@link WATCH_LABEL} that enables watching. */
export const WATCH_ENABLED_VALUE = "Enabled";
/** Label naming the controller shard that owns an object. */
export const SHARD_LABEL = "sharding.fluxcd.io/key";

/** Labels stamped on every applied object; prune deletes only objects still carrying both. */
export const OWNER_NAME_LABEL = `${KUSTOMIZE_GROUP}/name`;
/** See {@link OWNER_NAME_LABEL}. */
export const OWNER_NAMESPACE_LABEL = `${KUSTOMIZE_GROUP}/namespace`;

/**
 * Per-object keys, read from a label or an annotation on rendered/live objects (flux-compat §4.4).
 * Values are compared case-insensitively by Flux.
 */
export const OBJECT_KEYS = {
  /** `Override` (default), `Merge`, `IfNotPresent` or `Ignore`. */
  ssa: `${KUSTOMIZE_GROUP}/ssa`,
  /** `disabled`: skipped on apply and never pruned. */
  reconcile: `${KUSTOMIZE_GROUP}/reconcile`,
  /** `disabled`: never deleted by prune or finalizer. */
  prune: `${KUSTOMIZE_GROUP}/prune`,
  /** `enabled`: recreate on immutable-field errors. */
  force: `${KUSTOMIZE_GROUP}/force`,
  /** `disabled`: skip post-build substitution for this object (also on Flux's own CRDs). */
  substitute: `${KUSTOMIZE_GROUP}/substitute`,
  /** `disabled` (annotation only): do not require SOPS decryption for this Secret. */
  decrypt: `${KUSTOMIZE_GROUP}/decrypt`,
} as const;

/** `disabled`, the opt-out value for per-object keys such as `prune` or `substitute`. */
export const DISABLED_VALUE = "disabled";

/** Event metadata keys (notification-controller reads them to link commits and statuses). */
export const EVENT_METADATA = {
  /** GitRepository events: the artifact revision. */
  sourceRevision: `${SOURCE_GROUP}/revision`,
  /** Kustomization events: the applied/attempted source revision. */
  kustomizationRevision: `${KUSTOMIZE_GROUP}/revision`,
  /** Kustomization events: the artifact's origin revision (OCI only). */
  kustomizationOriginRevision: `${KUSTOMIZE_GROUP}/originRevision`,
  /** Set to {@link COMMIT_STATUS_UPDATE} on the "Reconciliation finished" event. */
  kustomizationCommitStatus: `${KUSTOMIZE_GROUP}/commit_status`,
} as const;
/** Value of {@link EVENT_METADATA}`.kustomizationCommitStatus`. */
export const COMMIT_STATUS_UPDATE = "update";

/** Artifact metadata key holding the origin revision of an OCI artifact. */
export const OCI_REVISION_METADATA = "org.opencontainers.image.revision";
/** Artifact metadata key holding the origin source (e.g. a Git URL) of an OCI artifact. */
export const OCI_SOURCE_METADATA = "org.opencontainers.image.source";
