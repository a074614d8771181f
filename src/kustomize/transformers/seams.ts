import type { Accumulator } from "../accumulator.js";
import type { Target } from "../build.js";
import type { PatchSchema } from "../openapi/schema.js";
import { applyImages, type ImageSpec } from "./images.js";
import { applyReplacements, loadReplacements, type Replacement } from "./replacements.js";
import { applyReplicas, type ReplicaSpec } from "./replicas.js";

/**
 * The one place where the transformers owned by the patch engineer plug into the pipeline, in
 * kustomize's order after patchesJson6902: replicas, images, replacements.
 */
export function runExtensionSeams(t: Target, ra: Accumulator, schema: PatchSchema): void {
  const k = t.k;
  if (k.replicas?.length) applyReplicas(ra.resources, k.replicas as ReplicaSpec[], ra.config.replicas);
  if (k.images?.length) applyImages(ra.resources, k.images as ImageSpec[], ra.config.images);
  if (k.replacements?.length) {
    const read = (p: string): string => t.ldr.read(p).text;
    const list = loadReplacements(k.replacements as Array<Replacement & { path?: string }>, read);
    applyReplacements(ra.resources, list, (v, kind) => schema.isClusterScoped(v, kind));
  }
}
