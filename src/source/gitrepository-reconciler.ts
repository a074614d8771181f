/**
 * The GitRepository reconciler (flux-compat §1.5): the shared source reconcile
 * (source-reconciler.ts) with GitRepository's steps, summary and clean-up.
 */
import {
  ConditionType,
  GIT_REPOSITORY,
  type GitRepository,
  gitRepositoryInterval,
  gitRepositoryTimeout,
} from "../api/index.js";
import {
  reconcileArtifact,
  reconcileFieldSupport,
  reconcileInclude,
  reconcileSource,
  reconcileStorage,
} from "./gitrepository-steps.js";
import { GIT_REPOSITORY_SUMMARY, type GitRepositoryDeps, type RunState } from "./gitrepository-state.js";
import { SourceReconciler, type SourceKindSpec, type SourceStep } from "./source-reconciler.js";

/** The steps, in Flux's order, after mooring's check that every spec field is supported. */
export const GIT_REPOSITORY_STEPS: readonly SourceStep<GitRepositoryDeps, RunState>[] = [
  reconcileFieldSupport,
  reconcileStorage,
  reconcileSource,
  reconcileInclude,
  reconcileArtifact,
];

function gitRepositorySpec(
  deps: GitRepositoryDeps,
): SourceKindSpec<GitRepository, GitRepositoryDeps, RunState> {
  return {
    kind: GIT_REPOSITORY.kind,
    steps: GIT_REPOSITORY_STEPS,
    summary: GIT_REPOSITORY_SUMMARY,
    failConditions: [
      ConditionType.FetchFailed,
      ConditionType.IncludeUnavailable,
      ConditionType.StorageOperationFailed,
    ],
    intervalMs: (obj) => gitRepositoryInterval(obj.spec),
    timeoutMs: (obj) => gitRepositoryTimeout(obj.spec),
    newRun: (base) => ({ ...base, includes: [], noop: false }),
    onDelete: (key) => deps.git.removeCache(`${key.namespace}/${key.name}`),
  };
}

/** Reconciles GitRepositories into artifacts. */
export class GitRepositoryReconciler extends SourceReconciler<GitRepository, GitRepositoryDeps, RunState> {
  constructor(deps: GitRepositoryDeps) {
    super(deps, gitRepositorySpec(deps));
  }
}
