/**
 * The one catalogue of condition types and reasons for GitRepository and Kustomization
 * (flux-compat §1.4, §3.3). Values are Flux's exact strings: kstatus, the `flux` CLI and
 * notification rules match on them. Controllers import from here instead of writing literals.
 */

/** Condition types. "Abnormal-true" types are present only while something is wrong. */
export const ConditionType = {
  /** Summary, positive polarity; printed by `kubectl get` and read by `flux get`. */
  Ready: "Ready",
  /** Abnormal-true: a reconcile is under way (kstatus InProgress); removed on success. */
  Reconciling: "Reconciling",
  /** Abnormal-true: a non-retryable error; the object waits for a spec change (kstatus Failed). */
  Stalled: "Stalled",
  /** Kustomization: result of health checks; only present when `wait` or `healthChecks` is set. */
  Healthy: "Healthy",
  /** GitRepository, positive: the current artifact exists in storage. */
  ArtifactInStorage: "ArtifactInStorage",
  /** GitRepository, abnormal-true: upstream moved on while an older artifact is still served. */
  ArtifactOutdated: "ArtifactOutdated",
  /** GitRepository, abnormal-true: authentication, clone or checkout failed. */
  FetchFailed: "FetchFailed",
  /** GitRepository, abnormal-true: an included GitRepository is missing or has no artifact. */
  IncludeUnavailable: "IncludeUnavailable",
  /** GitRepository, abnormal-true: a filesystem operation on the artifact storage failed. */
  StorageOperationFailed: "StorageOperationFailed",
  /** GitRepository, bipolar: commit/tag signature verification result (only with `spec.verify`). */
  SourceVerified: "SourceVerified",
  /** Declared by Flux's source API but not used by GitRepository; listed so nothing invents it. */
  BuildFailed: "BuildFailed",
  /**
   * mooring's own, Kustomization, abnormal-true: objects in detect-only drift mode differ from
   * the desired state (reason `DriftDetected`); removed once nothing detected has drifted.
   */
  Drifted: "Drifted",
} as const;
/** One of {@link ConditionType}. */
export type ConditionType = (typeof ConditionType)[keyof typeof ConditionType];

/**
 * Condition (and event) reasons. Shared reasons come from Flux's `apis/meta`; the others are
 * noted with the kind that uses them.
 */
export const Reason = {
  // --- shared (apis/meta) ---
  /** A step or the whole reconcile succeeded. */
  Succeeded: "Succeeded",
  /** Generic failure (e.g. lock acquisition); events only. */
  Failed: "Failed",
  /** Reconciling=True / Ready=Unknown while work is in progress. */
  Progressing: "Progressing",
  /** Reconciling reason after a failed attempt that will be retried. */
  ProgressingWithRetry: "ProgressingWithRetry",
  /** Declared by Flux for suspended objects. */
  Suspended: "Suspended",
  /** A dependency (dependsOn) is not ready yet. */
  DependencyNotReady: "DependencyNotReady",
  /** A feature gate needed by the spec is off (Stalled). */
  FeatureGateDisabled: "FeatureGateDisabled",
  /** A CEL expression in the spec does not compile (Stalled). */
  InvalidCELExpression: "InvalidCELExpression",
  /** Cross-namespace reference refused (Stalled). */
  AccessDenied: "AccessDenied",
  /**
   * mooring's own (Stalled): the spec sets a field mooring does not implement; the message names
   * the field and what to do instead (issue 15, `field-support.ts`).
   */
  UnsupportedField: "UnsupportedField",
  /**
   * mooring's own (Stalled, issue 20): the prune guard stopped a revision whose prune would delete
   * the whole inventory, or more of it than the `mooring.dev/prune-budget` annotation allows.
   */
  PruneGuardTriggered: "PruneGuardTriggered",
  /** mooring's own (Stalled): a `mooring.dev/` annotation has a value mooring cannot use. */
  InvalidAnnotation: "InvalidAnnotation",
  /** A path could not be resolved or left its root. */
  InvalidPath: "InvalidPath",
  /** A storage directory could not be created. */
  DirectoryCreationFailed: "DirectoryCreationFailed",

  // --- Kustomization ---
  /** Ready=True after apply, prune and health checks. */
  ReconciliationSucceeded: "ReconciliationSucceeded",
  /** Client, impersonation, apply/dry-run or inventory failure. */
  ReconciliationFailed: "ReconciliationFailed",
  /** Source missing, no artifact, download/digest failure, path missing. */
  ArtifactFailed: "ArtifactFailed",
  /** kustomize build, decryption, substitution or YAML decode failed (also a condition type). */
  BuildFailed: "BuildFailed",
  /** Garbage collection of stale objects failed. */
  PruneFailed: "PruneFailed",
  /** Health checks failed or timed out. */
  HealthCheckFailed: "HealthCheckFailed",
  /** Health checks were abandoned (new revision arrived, or a feature gate). */
  HealthCheckCanceled: "HealthCheckCanceled",

  // --- mooring beyond Flux: drift audit (issue 20 item 2) ---
  /** Event: someone else's change to managed objects was reverted. */
  DriftCorrected: "DriftCorrected",
  /** Drifted=True and its event: drift left in place (detect-only). */
  DriftDetected: "DriftDetected",

  // --- GitRepository (source API) ---
  /** The URL cannot be parsed (Stalled, FetchFailed). */
  URLInvalid: "URLInvalid",
  /** Credentials missing or rejected. */
  AuthenticationFailed: "AuthenticationFailed",
  /** Provider settings incomplete or contradictory (e.g. GitHub App keys). */
  InvalidProviderConfiguration: "InvalidProviderConfiguration",
  /** Clone, fetch or checkout failed. */
  GitOperationFailed: "GitOperationFailed",
  /** A Git operation succeeded; used for no-op results and trace events. */
  GitOperationSucceeded: "GitOperationSucceeded",
  /** The remote repository has no commits. */
  EmptyGitRepository: "EmptyGitRepository",
  /** ArtifactOutdated: upstream has a new revision. */
  NewRevision: "NewRevision",
  /** ArtifactOutdated: an included repository changed. */
  IncludeChange: "IncludeChange",
  /** IncludeUnavailable: the included GitRepository does not exist. */
  NotFound: "NotFound",
  /** IncludeUnavailable: the included GitRepository has no artifact yet. */
  NoArtifact: "NoArtifact",
  /** SourceVerified=False: verification could not be carried out. */
  VerificationError: "VerificationError",
  /** SourceVerified=False: the commit signature does not match a trusted key. */
  InvalidCommitSignature: "InvalidCommitSignature",
  /** SourceVerified=False: the tag signature does not match a trusted key. */
  InvalidTagSignature: "InvalidTagSignature",
  /** SourceVerified=False: the object to verify could not be read. */
  InvalidGitObject: "InvalidGitObject",
  /** Tag verification asked for without a tag reference (Stalled). */
  InvalidVerificationMode: "InvalidVerificationMode",
  /** StorageOperationFailed: stat failed. */
  StatOperationFailed: "StatOperationFailed",
  /** StorageOperationFailed: reading a file failed. */
  ReadOperationFailed: "ReadOperationFailed",
  /** Storage lock could not be taken. */
  AcquireLockFailed: "AcquireLockFailed",
  /** StorageOperationFailed: archiving the checkout failed. */
  ArchiveOperationFailed: "ArchiveOperationFailed",
  /** StorageOperationFailed: the `latest` symlink could not be updated. */
  SymlinkUpdateFailed: "SymlinkUpdateFailed",
  /** StorageOperationFailed: an include path escapes its root. */
  IllegalPath: "IllegalPath",
  /** StorageOperationFailed: copying an included artifact failed. */
  CopyFailure: "CopyFailure",
  /** Declared by Flux's source API; not used by GitRepository. */
  CacheOperationFailed: "CacheOperationFailed",
  /** Declared by Flux's source API; not used by GitRepository. */
  PatchOperationFailed: "PatchOperationFailed",
  /** Declared by Flux's source API; not used by GitRepository. */
  InvalidSTSConfiguration: "InvalidSTSConfiguration",
  /** Event: the artifact already matches the remote (no-op). */
  ArtifactUpToDate: "ArtifactUpToDate",
  /** Event: a new artifact was stored. */
  NewArtifact: "NewArtifact",
  /** Event (Warning): the stored artifact failed verification. */
  ArtifactVerificationFailed: "ArtifactVerificationFailed",
  /** Event (trace): old artifacts were removed. */
  GarbageCollectionSucceeded: "GarbageCollectionSucceeded",
  /** Event: removing old artifacts failed. */
  GarbageCollectionFailed: "GarbageCollectionFailed",
  /** Event: `spec.ignore` or a `.sourceignore` could not be read. */
  SourceIgnoreError: "SourceIgnoreError",

  // --- OCIRepository (source API) ---
  /** FetchFailed: the manifest or a layer could not be pulled (tag missing, digest mismatch). */
  OCIArtifactPullFailed: "OCIArtifactPullFailed",
  /** FetchFailed: the selected layer is missing or could not be extracted or copied. */
  OCIArtifactLayerOperationFailed: "OCIArtifactLayerOperationFailed",
} as const;
/** One of {@link Reason}. */
export type Reason = (typeof Reason)[keyof typeof Reason];

/** Order in which OCIRepository's Ready takes its reason and message (Flux's summarize list). */
export const OCI_REPOSITORY_READY_PRIORITY = [
  ConditionType.StorageOperationFailed,
  ConditionType.FetchFailed,
  ConditionType.ArtifactOutdated,
  ConditionType.ArtifactInStorage,
  ConditionType.SourceVerified,
  ConditionType.Stalled,
  ConditionType.Reconciling,
] as const satisfies readonly ConditionType[];

/**
 * Order in which GitRepository's Ready takes its reason and message from the other types
 * (flux-compat §1.4 "Ready summarisation"): the first present type in the winning group wins.
 */
export const GIT_REPOSITORY_READY_PRIORITY = [
  ConditionType.StorageOperationFailed,
  ConditionType.FetchFailed,
  ConditionType.IncludeUnavailable,
  ConditionType.ArtifactOutdated,
  ConditionType.ArtifactInStorage,
  ConditionType.SourceVerified,
  ConditionType.Stalled,
  ConditionType.Reconciling,
] as const satisfies readonly ConditionType[];

/** Longest condition message the CRD accepts; longer ones are cut and end with `...`. */
export const CONDITION_MESSAGE_MAX_LENGTH = 32768;

/** Pattern the CRD schema enforces on `reason` (metav1.Condition). */
export const CONDITION_REASON_PATTERN = /^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$/;

/** Prefix of a Kustomization's Stalled message (flux-compat §3.3). */
export const STALLED_MESSAGE_PREFIX = "Reconciliation failed terminally due to configuration error";
