/**
 * The state one OCIRepository reconcile carries from step to step, its dependencies, Ready's
 * summary, and the pure check on it (did the content configuration change).
 */
import {
  ConditionType,
  OCI_REPOSITORY_READY_PRIORITY,
  type OCILayerSelector,
  type OCIRepository,
} from "../api/index.js";
import type { SummarySpec } from "../runtime/summary.js";
import type { RegistryClient, RegistryTarget } from "./oci/registry-client.js";
import type { OCIRepositoryClient } from "./ports.js";
import type { SourceRun } from "./source-reconciler.js";
import type { ArtifactStorage } from "./storage.js";

/** Controller settings (built once by the composition root). */
export interface OCIRepositoryOptions {
  /** Parent of per-reconcile work dirs; the OS temp dir when absent. */
  readonly tmpDir?: string;
  /** `--interval-jitter-percentage` (default 5). */
  readonly jitterPercent?: number;
  /** Largest extracted layer, in bytes (a runaway artifact fails clearly instead of filling the disk). */
  readonly maxExtractBytes?: number;
}

/** Everything a reconcile uses. */
export interface OCIRepositoryDeps {
  readonly client: OCIRepositoryClient;
  readonly storage: ArtifactStorage;
  readonly registry: RegistryClient;
  readonly options: OCIRepositoryOptions;
}

/** What the pull left in the work directory. */
export type PulledContent =
  { readonly kind: "directory"; readonly path: string } | { readonly kind: "file"; readonly path: string };

/** Mutable state of one run; steps replace `obj` with updated copies. */
export interface RunState extends SourceRun<OCIRepository> {
  target?: RegistryTarget;
  /** `<tag>@<digest>` or `<digest>`. */
  revision?: string;
  /** The remote is unchanged: nothing pulled, no new artifact. */
  noop: boolean;
  /** Annotations of the pulled manifest (become `artifact.metadata`). */
  annotations?: Record<string, string>;
  content?: PulledContent;
}

/** Ready's summary for OCIRepository (Flux's `ociRepositoryReadyCondition`). */
export const OCI_REPOSITORY_SUMMARY: SummarySpec = {
  priority: OCI_REPOSITORY_READY_PRIORITY,
  negativePolarity: [
    ConditionType.StorageOperationFailed,
    ConditionType.FetchFailed,
    ConditionType.ArtifactOutdated,
    ConditionType.Stalled,
    ConditionType.Reconciling,
  ],
  biPolarity: [ConditionType.SourceVerified],
};

const sameSelector = (a: OCILayerSelector | undefined, b: OCILayerSelector | undefined): boolean =>
  (a?.mediaType ?? "") === (b?.mediaType ?? "") &&
  (a?.operation ?? "") === (b?.operation ?? "") &&
  (a === undefined) === (b === undefined);

/**
 * Flux's `ociContentConfigChanged`: `spec.ignore` or `spec.layerSelector` differ from those the
 * artifact was built with, so an unchanged digest still needs a new artifact.
 */
export function ociContentConfigChanged(obj: OCIRepository): boolean {
  const st = obj.status ?? {};
  return (
    (obj.spec.ignore ?? undefined) !== (st.observedIgnore ?? undefined) ||
    !sameSelector(obj.spec.layerSelector, st.observedLayerSelector)
  );
}
