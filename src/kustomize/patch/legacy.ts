import { isMap, type YAMLMap } from "yaml";
import type { PatchSchema } from "../openapi/schema.js";
import type { Resource } from "../resource.js";
import { applyJson6902ToSelected, applyStrategicMergeToResource, copyMergeMetadata, findById, idOfNode } from "./apply.js";
import { parseJson6902 } from "./json6902.js";
import { parsePatchDocuments } from "./load.js";
import type { TargetSelector } from "./select.js";

/** A loaded `patchesStrategicMerge` document and where it came from. */
export interface LegacySmPatch {
  readonly patch: YAMLMap;
  readonly source: string;
}

/**
 * Loads the deprecated `patchesStrategicMerge` list. Like kustomize, each entry is first tried as
 * inline YAML objects and, failing that, read as a file path. It exists so the pipeline can keep
 * supporting old kustomizations with the same patch engine.
 */
export function loadLegacyStrategicMerge(entries: readonly string[], readFile: (path: string) => string): LegacySmPatch[] {
  const out: LegacySmPatch[] = [];
  for (const entry of entries) {
    const inline = tryInline(entry);
    if (inline !== undefined) {
      out.push(...inline.map((patch) => ({ patch, source: `[patch: ${JSON.stringify(entry)}]` })));
      continue;
    }
    let text: string;
    try {
      text = readFile(entry);
    } catch (err) {
      throw new Error(`failed to read patchesStrategicMerge file ${entry}: ${(err as Error).message}`, { cause: err });
    }
    const docs = parsePatchDocuments(text, entry);
    for (const d of docs) {
      if (!isMap(d)) throw new Error(`patchesStrategicMerge file ${entry} holds something other than a YAML object`);
      out.push({ patch: d, source: `[path: ${JSON.stringify(entry)}]` });
    }
  }
  return out;
}

function tryInline(entry: string): YAMLMap[] | undefined {
  if (!entry.includes("\n") && !entry.includes(":")) return undefined;
  try {
    const docs = parsePatchDocuments(entry, "inline patch");
    return docs.length > 0 && docs.every((d) => isMap(d)) ? (docs) : undefined;
  } catch {
    return undefined;
  }
}

/** Applies `patchesStrategicMerge` documents in order, each to the one resource its id names. */
export function applyLegacyStrategicMerge(
  resources: readonly Resource[],
  patches: readonly LegacySmPatch[],
  schema: PatchSchema,
): Resource[] {
  let current = [...resources];
  const scope = (v: string, k: string): boolean => schema.isClusterScoped(v, k);
  for (const { patch, source } of patches) {
    const target = findById(current, idOfNode(patch), scope, source);
    const copy = patch.clone() as typeof patch;
    copyMergeMetadata(copy);
    if (!applyStrategicMergeToResource(target, copy, schema)) current = current.filter((r) => r !== target);
  }
  return current;
}

/** One deprecated `patchesJson6902` entry. */
export interface LegacyJson6902Spec {
  readonly target: TargetSelector;
  readonly path?: string;
  readonly jsonOp?: string;
}

/**
 * Applies a deprecated `patchesJson6902` entry: the target must name a resource, the operations
 * come from `path` or inline `jsonOp`. Unlike `patches:`, kustomize records no previous id here.
 */
export function applyLegacyJson6902(
  resources: readonly Resource[],
  spec: LegacyJson6902Spec,
  readFile: (path: string) => string,
  schema: PatchSchema,
): void {
  if ((spec.target.name ?? "") === "") throw new Error("must specify the target name in patchesJson6902");
  const path = spec.path ?? "";
  const inline = spec.jsonOp ?? "";
  if (path === "" && inline === "") throw new Error("empty file path and empty jsonOp in patchesJson6902");
  if (path !== "" && inline !== "") throw new Error("must specify a file path or jsonOp, not both");
  const text = path !== "" ? readFile(path) : inline;
  const source = path !== "" ? `[path: ${JSON.stringify(path)}]` : `[jsonOp: ${JSON.stringify(inline)}]`;
  if (text === "") throw new Error(`patch file '${path}' seems to be empty`);
  const ops = parseJson6902(text, source);
  if (ops.length === 0) throw new Error(`patch appears to be empty; ${source}`);
  applyJson6902ToSelected(resources, ops, { source, target: spec.target, schema, rememberIds: false });
}
