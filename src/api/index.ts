/**
 * The mooring API surface: Flux's GitRepository and Kustomization types, their defaults, the
 * condition catalogue and the well-known names. Import from here.
 */
export * from "./constants.js";
export * from "./conditions.js";
export * from "./meta.js";
export * from "./git-repository.js";
export * from "./oci-repository.js";
export * from "./source-kinds.js";
export * from "./kustomization-parts.js";
export * from "./kustomization.js";
export * from "./field-support.js";
export * from "./mooring.js";
export * from "./source-kinds.js";
export * from "./external-artifact.js";
export * from "./artifact-generator.js";
