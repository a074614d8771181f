/**
 * The cluster-facing apply layer: what the Kustomization reconciler imports.
 */
export { ApplyManager, DEFAULT_FIELD_MANAGER } from "./apply-manager.js";
export { ApplyClusters, type ClusterTarget } from "./apply-clusters.js";
export { forceHint } from "./apply-object.js";
export {
  ApplyError,
  HealthCancelledError,
  HealthCheckError,
  KubeApiError,
  NoMatchError,
  isNotFound,
} from "./errors.js";
export { deleteFailureMessage } from "./prune.js";
export { refOf } from "./object-client.js";
export { manifestApplier, type ManifestApplier } from "./manifest-apply.js";
export * from "./types.js";
