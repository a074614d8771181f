/**
 * `source.extensions.fluxcd.io/v1beta1` ArtifactGenerator (Flux's source-watcher API): spec,
 * status and the names its controller must spell as Flux does. Only types and constants.
 */
import type { Condition, FluxObject, ReconcileRequestStatus } from "./meta.js";

/** Finalizer of ArtifactGenerators (source-watcher's, not `finalizers.fluxcd.io`). */
export const ARTIFACT_GENERATOR_FINALIZER = "source.extensions.fluxcd.io/finalizer";
/** Label on each generated ExternalArtifact: the generator's UID. */
export const ARTIFACT_GENERATOR_LABEL = "source.extensions.fluxcd.io/generator";
/** Annotation that pauses a generator when `disabled` (case-insensitive). */
export const ARTIFACT_GENERATOR_RECONCILE_ANNOTATION = "source.extensions.fluxcd.io/reconcile";
/** Field manager and `app.kubernetes.io/managed-by` value of generated ExternalArtifacts. */
export const SOURCE_WATCHER_MANAGER = "source-watcher";
/** How often a Ready generator looks again without any event (source-watcher: one hour). */
export const ARTIFACT_GENERATOR_REQUEUE_MS = 3_600_000;

/** `copy[].strategy` values; empty means `Overwrite`. */
export const CopyStrategy = {
  Overwrite: "Overwrite",
  Merge: "Merge",
  Extract: "Extract",
} as const;
/** One of {@link CopyStrategy}. */
export type CopyStrategy = (typeof CopyStrategy)[keyof typeof CopyStrategy];

/** `spec.sources[]`: a source object under an alias. */
export interface GeneratorSourceReference {
  alias: string;
  kind: string;
  name: string;
  /** Defaults to the generator's namespace. */
  namespace?: string;
}

/** `spec.artifacts[].copy[]`. */
export interface CopyOperation {
  /** `@alias/<path or glob>`. */
  from: string;
  /** `@artifact/<path>`; a trailing slash names a directory. */
  to: string;
  exclude?: string[];
  strategy?: CopyStrategy;
}

/** `spec.artifacts[]`: one generated ExternalArtifact. */
export interface OutputArtifact {
  name: string;
  /** `@alias`: take that source's revision instead of `latest@<digest>`. */
  revision?: string;
  /** `@alias`: record that source's (origin) revision in the artifact metadata. */
  originRevision?: string;
  copy: CopyOperation[];
}

/** `spec` of an ArtifactGenerator. */
export type ArtifactGeneratorSpec = {
  commonMetadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  sources: GeneratorSourceReference[];
  pathPattern?: string;
  artifacts: OutputArtifact[];
};

/** `status.inventory[]`: a generated ExternalArtifact and its stored file. */
export interface ExternalArtifactReference {
  name: string;
  namespace: string;
  digest: string;
  filename: string;
}

/** `status` of an ArtifactGenerator. */
export type ArtifactGeneratorStatus = ReconcileRequestStatus & {
  conditions?: Condition[];
  inventory?: ExternalArtifactReference[];
  /** Digest of the sources' artifacts (digest, revision, URL per alias) the outputs came from. */
  observedSourcesDigest?: string;
  /** Written by mooring's condition helpers; absent from Flux's schema, so never persisted. */
  observedGeneration?: number;
};

/** An ArtifactGenerator object. */
export type ArtifactGenerator = FluxObject<ArtifactGeneratorSpec, ArtifactGeneratorStatus>;
