/**
 * The state one GitRepository reconcile carries from step to step, the controller's settings,
 * and the pure checks on it (did the content configuration change, Ready's summary).
 */
import {
  ConditionType,
  GIT_REPOSITORY_READY_PRIORITY,
  type Artifact,
  type GitRepository,
  type GitRepositoryInclude,
  gitVerificationMode,
} from "../api/index.js";
import type { SummarySpec } from "../runtime/summary.js";
import type { GitAuth } from "./git-auth.js";
import type { GitProxy } from "./git-http.js";
import type { GitClient, ResolvedRef } from "./git-client.js";
import type { GitRepositoryClient } from "./ports.js";
import type { RefStrategy } from "./ref.js";
import type { SourceRun } from "./source-reconciler.js";
import type { ArtifactStorage } from "./storage.js";

/** Controller settings (built once by the composition root). */
export interface GitRepositoryOptions {
  /** `--requeue-dependency`: wait for an include without artifact (default 30 s). */
  readonly requeueDependencyMs: number;
  /** Parent of per-reconcile work dirs; the OS temp dir when absent. */
  readonly tmpDir?: string;
  /** `--interval-jitter-percentage` (default 5). */
  readonly jitterPercent?: number;
}

/** Everything a reconcile uses. */
export interface GitRepositoryDeps {
  readonly client: GitRepositoryClient;
  readonly storage: ArtifactStorage;
  readonly git: GitClient;
  readonly options: GitRepositoryOptions;
}

/** An include resolved to the artifact it contributes. */
export interface ResolvedInclude {
  readonly include: GitRepositoryInclude;
  readonly artifact: Artifact;
}

/** Mutable state of one run; steps replace `obj` with updated copies. */
export interface RunState extends SourceRun<GitRepository> {
  auth?: GitAuth;
  /** `spec.proxySecretRef`'s proxy, when set. */
  proxy?: GitProxy;
  strategy?: RefStrategy;
  resolved?: ResolvedRef;
  includes: ResolvedInclude[];
  /** The remote is unchanged: no checkout, no new artifact. */
  noop: boolean;
  /** The artifact is written straight from git objects (no includes, no sparse checkout). */
  direct?: boolean;
  /** Subject of the checked-out commit, for the NewArtifact event. */
  subject?: string;
}

/** Ready's summary for GitRepository (flux-compat §1.4). */
export const GIT_REPOSITORY_SUMMARY: SummarySpec = {
  priority: GIT_REPOSITORY_READY_PRIORITY,
  negativePolarity: [
    ConditionType.StorageOperationFailed,
    ConditionType.FetchFailed,
    ConditionType.IncludeUnavailable,
    ConditionType.ArtifactOutdated,
    ConditionType.Stalled,
    ConditionType.Reconciling,
  ],
  biPolarity: [ConditionType.SourceVerified],
};

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
const emptyToUndef = <T>(xs: readonly T[] | undefined): readonly T[] | undefined =>
  xs === undefined || xs.length === 0 ? undefined : xs;

/** True when the included artifacts differ from those the current artifact was built with. */
export function includesChanged(obj: GitRepository, includes: readonly ResolvedInclude[]): boolean {
  const before = (obj.status?.includedArtifacts ?? []).map((a) => [a.revision, a.digest]);
  const now = includes.map((i) => [i.artifact.revision, i.artifact.digest]);
  return !same(before, now);
}

/** Flux's `requiresVerification`: verify is set and was not yet verified in a covering mode. */
export function requiresVerification(obj: GitRepository): boolean {
  const mode = gitVerificationMode(obj.spec);
  if (mode === undefined) return false;
  const observed = obj.status?.sourceVerificationMode;
  if (observed === undefined) return true;
  return (observed === "Tag" && mode !== "Tag") || (observed === "HEAD" && mode !== "HEAD");
}

/**
 * Flux's `gitContentConfigChanged`: spec fields that shape the artifact differ from the ones it
 * was built with, so an unchanged commit still needs a new artifact.
 */
export function contentConfigChanged(obj: GitRepository, includes: readonly ResolvedInclude[]): boolean {
  return observedSpecChanged(obj) || requiresVerification(obj) || includesChanged(obj, includes);
}

/** The spec fields recorded as `status.observed*` differ from the spec. */
function observedSpecChanged(obj: GitRepository): boolean {
  const s = obj.spec;
  const st = obj.status ?? {};
  return (
    (s.ignore ?? undefined) !== (st.observedIgnore ?? undefined) ||
    (s.recurseSubmodules ?? false) !== (st.observedRecurseSubmodules ?? false) ||
    !same(emptyToUndef(s.include), emptyToUndef(st.observedInclude)) ||
    !same(emptyToUndef(s.sparseCheckout), emptyToUndef(st.observedSparseCheckout))
  );
}

export { withStatus, withoutStatus } from "./artifact-steps.js";
