import { KustomizeError } from "./errors.js";
import type { Resource } from "./resource.js";
import { resIdString } from "./resource.js";
import { emptyTransformerConfig, mergeTransformerConfig, type TransformerConfig } from "./transformer-config.js";
import { effectiveId } from "./transformers/ids.js";

/**
 * What a kustomization (with its bases) has produced so far: the resources in build order, the
 * transformer configuration in force, and the declared vars. kustomize's ResAccumulator.
 */
export class Accumulator {
  resources: Resource[] = [];
  readonly config: TransformerConfig = emptyTransformerConfig();
  readonly vars: unknown[] = [];

  /** Adds resources, refusing an id that is already present (kustomize's AppendAll). */
  append(more: readonly Resource[], source: string): void {
    // Ids can change between appends (transformers rename), so the index is rebuilt per call.
    const present = new Set(this.resources.map((o) => resIdString(effectiveId(o.id()))));
    for (const r of more) {
      const id = r.id();
      const key = resIdString(effectiveId(id));
      if (present.has(key)) {
        throw new KustomizeError(`may not add resource with an already registered id: ${resIdString(id)}`, { file: source });
      }
      present.add(key);
      this.resources.push(r);
    }
  }

  /** Merges a base's accumulator into this one. */
  mergeFrom(other: Accumulator, source: string): void {
    this.append(other.resources, source);
    mergeTransformerConfig(this.config, other.config);
    this.addVars(other.vars, source);
  }

  /** Declares vars; a name declared twice is an error, as in kustomize. */
  addVars(vars: readonly unknown[], source: string): void {
    for (const v of vars) {
      const name = (v as { name?: unknown } | null)?.name;
      if (this.vars.some((o) => (o as { name?: unknown }).name === name)) {
        throw new KustomizeError(`var '${typeof name === "string" ? name : "?"}' already encountered`, { file: source });
      }
      this.vars.push(v);
    }
  }
}
