/**
 * The parts a Kustomization spec is made of (references, selectors, patches, postBuild, ...)
 * and the enums of its fields, as JSON (flux-compat §3.1). Split from kustomization.ts to keep
 * files small.
 */
import type { LocalObjectReference, SecretKeyReference } from "./meta.js";

/** Kinds `spec.sourceRef.kind` accepts (CRD enum). */
export const SourceKind = {
  OCIRepository: "OCIRepository",
  GitRepository: "GitRepository",
  Bucket: "Bucket",
  ExternalArtifact: "ExternalArtifact",
} as const;
/** One of {@link SourceKind}. */
export type SourceKind = (typeof SourceKind)[keyof typeof SourceKind];

/** `spec.deletionPolicy` values; empty means `MirrorPrune`. */
export const DeletionPolicy = {
  MirrorPrune: "MirrorPrune",
  Delete: "Delete",
  WaitForTermination: "WaitForTermination",
  Orphan: "Orphan",
} as const;
/** One of {@link DeletionPolicy}. */
export type DeletionPolicy = (typeof DeletionPolicy)[keyof typeof DeletionPolicy];

/** `spec.postBuild.substituteStrategy` values; empty means `WithVariables`. */
export const SubstituteStrategy = {
  WithVariables: "WithVariables",
  Always: "Always",
} as const;
/** One of {@link SubstituteStrategy}. */
export type SubstituteStrategy = (typeof SubstituteStrategy)[keyof typeof SubstituteStrategy];

/** `spec.buildMetadata[]` values (kustomize build metadata options). */
export const BuildMetadataOption = {
  OriginAnnotations: "originAnnotations",
  TransformerAnnotations: "transformerAnnotations",
} as const;
/** One of {@link BuildMetadataOption}. */
export type BuildMetadataOption = (typeof BuildMetadataOption)[keyof typeof BuildMetadataOption];

/** `spec.sourceRef`. `apiVersion` is accepted and ignored; namespace defaults to the object's. */
export interface CrossNamespaceSourceReference {
  apiVersion?: string;
  kind: SourceKind;
  name: string;
  namespace?: string;
}

/** `spec.dependsOn[]`: a Kustomization that must be ready first. */
export interface DependencyReference {
  name: string;
  namespace?: string;
  /** CEL expression evaluated against the dependency instead of the default readiness rule. */
  readyExpr?: string;
}

/** `spec.healthChecks[]`: an object to wait for; empty apiVersion means `apps/v1`. */
export interface NamespacedObjectKindReference {
  apiVersion?: string;
  kind: string;
  name: string;
  namespace?: string;
}

/** `spec.healthCheckExprs[]`: CEL health rules for a custom resource kind. */
export interface CustomHealthCheck {
  apiVersion: string;
  kind?: string;
  current: string;
  inProgress?: string;
  failed?: string;
}

/** Kustomize target selector (`patches[].target`, `ignore[].target`). */
export interface Selector {
  group?: string;
  version?: string;
  kind?: string;
  name?: string;
  namespace?: string;
  annotationSelector?: string;
  labelSelector?: string;
}

/** `spec.patches[]`: a strategic-merge or JSON 6902 patch as text. */
export interface Patch {
  patch: string;
  target?: Selector;
}

/** `spec.images[]`: kustomize image override. */
export interface Image {
  name: string;
  newName?: string;
  newTag?: string;
  digest?: string;
}

/** `spec.ignore[]`: drift-ignore rule; selector fields are regular expressions. */
export interface IgnoreRule {
  /** JSON pointers to ignore. */
  paths: string[];
  target?: Selector;
}

/** `spec.commonMetadata`: stamped on every rendered object. */
export interface CommonMetadata {
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** `spec.postBuild.substituteFrom[]`. */
export interface SubstituteReference {
  kind: "Secret" | "ConfigMap";
  name: string;
  /** Missing object is not an error when true. Defaults to false. */
  optional?: boolean;
}

/** `spec.postBuild`: variable substitution after the kustomize build (flux-compat §5). */
export interface PostBuild {
  substitute?: Record<string, string>;
  substituteFrom?: SubstituteReference[];
  substituteStrategy?: SubstituteStrategy;
}

/** `spec.decryption`: SOPS decryption settings. */
export interface Decryption {
  provider: "sops";
  secretRef?: LocalObjectReference;
  serviceAccountName?: string;
}

/** `spec.kubeConfig`: exactly one of `secretRef` or `configMapRef` (CEL rules in the CRD). */
export interface KubeConfigReference {
  /** Key defaults to `value`. */
  secretRef?: SecretKeyReference;
  configMapRef?: LocalObjectReference;
}
