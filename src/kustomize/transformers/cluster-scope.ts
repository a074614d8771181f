import { PatchSchema } from "../openapi/schema.js";
import { apiVersionOf, type Gvk } from "../resource.js";

/**
 * Whether a kind is certainly cluster-scoped (no namespace), from the same built-in OpenAPI table
 * kustomize consults; custom kinds are treated as namespaced, as kustomize does.
 */
export function isClusterScoped(gvk: Gvk): boolean {
  return PatchSchema.builtin().isClusterScoped(apiVersionOf(gvk), gvk.kind);
}
