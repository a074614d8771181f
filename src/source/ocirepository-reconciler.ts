/**
 * The OCIRepository reconciler: the shared source reconcile (source-reconciler.ts) with
 * OCIRepository's steps and summary, in Flux's order.
 */
import {
  ConditionType,
  OCI_REPOSITORY,
  type OCIRepository,
  ociRepositoryInterval,
  ociRepositoryTimeout,
} from "../api/index.js";
import { OCI_REPOSITORY_SUMMARY, type OCIRepositoryDeps, type RunState } from "./ocirepository-state.js";
import {
  reconcileArtifact,
  reconcileFieldSupport,
  reconcileSource,
  reconcileStorage,
} from "./ocirepository-steps.js";
import { SourceReconciler, type SourceKindSpec, type SourceStep } from "./source-reconciler.js";

/** The steps, in Flux's order, after mooring's check that every spec field is supported. */
export const OCI_REPOSITORY_STEPS: readonly SourceStep<OCIRepositoryDeps, RunState>[] = [
  reconcileFieldSupport,
  reconcileStorage,
  reconcileSource,
  reconcileArtifact,
];

const OCI_REPOSITORY_SPEC: SourceKindSpec<OCIRepository, OCIRepositoryDeps, RunState> = {
  kind: OCI_REPOSITORY.kind,
  steps: OCI_REPOSITORY_STEPS,
  summary: OCI_REPOSITORY_SUMMARY,
  failConditions: [ConditionType.FetchFailed, ConditionType.StorageOperationFailed],
  intervalMs: (obj) => ociRepositoryInterval(obj.spec),
  timeoutMs: (obj) => ociRepositoryTimeout(obj.spec),
  newRun: (base) => ({ ...base, noop: false }),
};

/** Reconciles OCIRepositories into artifacts. */
export class OCIRepositoryReconciler extends SourceReconciler<OCIRepository, OCIRepositoryDeps, RunState> {
  constructor(deps: OCIRepositoryDeps) {
    super(deps, OCI_REPOSITORY_SPEC);
  }
}
