/**
 * The one table of source kinds (issue 16): which kinds a Kustomization's `sourceRef` and an
 * ArtifactGenerator's `sources[]` can name, where each lives in the API, and what consuming it
 * needs. Every kind here publishes Flux's `status.artifact` (a tarball behind an HTTP URL, with
 * revision, digest and metadata), so once the object is read, fetching is the same for all of
 * them: adding a kind is one entry (plus its controller and its RBAC in deploy/), and the
 * Kustomization's source reads (cluster-client.ts) and watches (controller.ts), the
 * `sourceRef.kind` stall (field-support.ts) and the generator's inputs all follow this table.
 */
import { EXTERNAL_ARTIFACT, GIT_REPOSITORY, OCI_REPOSITORY } from "./constants.js";

/** Where a source kind lives in the API, and what a Kustomization needs to consume it. */
export interface SourceKindInfo {
  readonly kind: string;
  readonly group: string;
  readonly version: string;
  readonly apiVersion: string;
  readonly plural: string;
  readonly crdName: string;
  /**
   * The Flux feature gate a Kustomization needs to consume this kind (Flux: `ExternalArtifact`);
   * without it such a Kustomization stalls with `AccessDenied`, as kustomize-controller does.
   */
  readonly kustomizationGate?: string;
}

/** The source kinds mooring implements, by kind. */
export const SOURCE_KINDS: Readonly<Record<string, SourceKindInfo>> = {
  [GIT_REPOSITORY.kind]: GIT_REPOSITORY,
  [OCI_REPOSITORY.kind]: OCI_REPOSITORY,
  [EXTERNAL_ARTIFACT.kind]: { ...EXTERNAL_ARTIFACT, kustomizationGate: "ExternalArtifact" },
};

/**
 * Flux source kinds mooring does not implement, with the reason and the way out: the message a
 * Kustomization or ArtifactGenerator naming one stalls with.
 */
export const UNSUPPORTED_SOURCE_KINDS: Readonly<Record<string, string>> = {
  Bucket:
    "Bucket sources (S3, GCS, Azure Blob) are not implemented by mooring: it carries no cloud storage " +
    "clients; publish the manifests with 'flux push artifact' to an OCI registry or to a Git repository instead",
  HelmChart:
    "HelmChart sources are not implemented by mooring: it has no Helm chart packaging and no helm-controller; " +
    "put the rendered manifests (or the chart's files) in a Git repository or an OCI artifact instead",
};

/** The source kind `kind` names, or undefined when mooring does not implement it. */
export function sourceKindInfo(kind: string): SourceKindInfo | undefined {
  return Object.hasOwn(SOURCE_KINDS, kind) ? SOURCE_KINDS[kind] : undefined;
}

/** Why `kind` cannot be used as a source: the stall message, or undefined when it is supported. */
export function unsupportedSourceKind(kind: string): string | undefined {
  if (sourceKindInfo(kind) !== undefined) return undefined;
  if (Object.hasOwn(UNSUPPORTED_SOURCE_KINDS, kind)) return UNSUPPORTED_SOURCE_KINDS[kind];
  return `source kind '${kind}' is not supported by mooring (supported: ${Object.keys(SOURCE_KINDS).join(", ")})`;
}
