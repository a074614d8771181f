import type { Accumulator } from "../accumulator.js";
import type { Target } from "../build.js";
import { KustomizeError } from "../errors.js";
import type { PatchSchema } from "../openapi/schema.js";

/**
 * The one place where transformers owned by the patch engineer (replicas, images, replacements)
 * and plugin-configured transformers plug into the pipeline, in kustomize's order.
 */
export function runExtensionSeams(t: Target, _ra: Accumulator, _schema: PatchSchema): void {
  const k = t.k;
  if (k.replicas?.length) throw new KustomizeError("replicas are not supported yet", { file: t.file });
  if (k.images?.length) throw new KustomizeError("images are not supported yet", { file: t.file });
  if (k.replacements?.length) throw new KustomizeError("replacements are not supported yet", { file: t.file });
}
