/**
 * `source.toolkit.fluxcd.io/v1` ExternalArtifact (Flux RFC-0012): an artifact another controller
 * produced and serves, described with the same `status.artifact` every source has. mooring's
 * ArtifactGenerator controller writes them; Kustomizations consume them (feature gate
 * `ExternalArtifact`, as in Flux).
 */
import type { NamespacedObjectKindReference } from "./kustomization-parts.js";
import type { Artifact, Condition, FluxObject } from "./meta.js";

/** `spec` of an ExternalArtifact. */
export type ExternalArtifactSpec = {
  /** The object the artifact was produced for (Flux's `meta.NamespacedObjectKindReference`). */
  sourceRef?: NamespacedObjectKindReference;
};

/** `status` of an ExternalArtifact (written by its producer). */
export type ExternalArtifactStatus = {
  artifact?: Artifact;
  conditions?: Condition[];
};

/** An ExternalArtifact object. */
export type ExternalArtifact = FluxObject<ExternalArtifactSpec, ExternalArtifactStatus>;
