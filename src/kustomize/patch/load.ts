import { isMap, isSeq, parseAllDocuments, type Node as YamlNode, type YAMLMap } from "yaml";
import { expandAliases } from "../aliases.js";
import { fieldOf, isNullScalar, textOf } from "./nodes.js";
import { parseJson6902, type JsonPatchOp } from "./json6902.js";
import type { TargetSelector } from "./select.js";
import { foldKeys, PATCH_SHAPE } from "../transformers/fold-keys.js";
import { dropEofLineBreak } from "../yaml-eof.js";

/** `patches[].options` of a kustomization. */
export interface PatchOptions {
  readonly allowNameChange?: boolean;
  readonly allowKindChange?: boolean;
}

/** One `patches:` entry as written in a kustomization. */
export interface PatchSpec {
  readonly path?: string;
  readonly patch?: string;
  readonly target?: TargetSelector;
  readonly options?: PatchOptions;
}

/** A `patches:` entry with its text read and its type decided. */
export type LoadedPatch =
  | {
      readonly type: "strategic";
      readonly patches: readonly YAMLMap[];
      /** `[path: "file"]` or `[patch: "text"]`, kustomize's way of naming the patch in errors. */
      readonly source: string;
      readonly target?: TargetSelector;
      readonly options: PatchOptions;
    }
  | { readonly type: "json6902"; readonly ops: readonly JsonPatchOp[]; readonly source: string; readonly target?: TargetSelector };

/**
 * Reads a `patches:` entry and decides, as kustomize does, whether it is a strategic merge patch
 * (one or more YAML objects) or a JSON 6902 patch (a list of operations, in YAML or JSON). It exists
 * so the transformer receives decoded patches; `readFile` is the build's root-restricted loader.
 * Errors name the entry (`[path: "x.yaml"]`) and say what is wrong.
 */
export function loadPatch(rawSpec: PatchSpec, readFile: (path: string) => string): LoadedPatch {
  const spec = foldKeys<PatchSpec>(rawSpec, PATCH_SHAPE);
  const { text, source } = readPatchText(spec, readFile);
  // An empty file is no strategic merge patch to kustomize and an empty JSON patch (which then
  // needs a target); text that holds no document (comments, blank lines) decodes as both.
  if (text === "") return json6902Of([], source, spec.target);
  const docs = parsePatchDocuments(text, source);
  if (docs.length === 0) throw new Error(`illegally qualifies as both an SM and JSON patch: ${source}`);
  if (docs.every((d) => isSeq(d))) return json6902Of(parseJson6902(text.trim(), source), source, spec.target);
  if (!docs.every((d) => isMap(d) && !hasNullKey(d))) {
    throw new Error(`unable to parse SM or JSON patch from ${source}`);
  }
  const patches = docs.flatMap((d) => expandList(d));
  const base = { type: "strategic" as const, patches, source, options: spec.options ?? {} };
  return spec.target === undefined ? base : { ...base, target: spec.target };
}

function json6902Of(ops: readonly JsonPatchOp[], source: string, target: TargetSelector | undefined): LoadedPatch {
  return target === undefined ? { type: "json6902", ops, source } : { type: "json6902", ops, source, target };
}

function readPatchText(spec: PatchSpec, readFile: (path: string) => string): { text: string; source: string } {
  const inline = (spec.patch ?? "").trim();
  const path = spec.path ?? "";
  if (inline === "" && path === "") throw new Error("must specify one of patch and path in a patches entry");
  if (inline !== "" && path !== "") throw new Error(`patch and path can't be set at the same time (path: ${path})`);
  if (inline !== "") return { text: inline, source: `[patch: ${JSON.stringify(inline)}]` };
  const source = `[path: ${JSON.stringify(path)}]`;
  try {
    return { text: readFile(path), source };
  } catch (err) {
    throw new Error(`failed to get the patch file from path(${path}): ${(err as Error).message}`, { cause: err });
  }
}

/**
 * Parses the documents of a strategic-merge patch file or string (failsafe schema, like resources),
 * skipping empty documents. Exported for the legacy `patchesStrategicMerge` field.
 */
export function parsePatchDocuments(text: string, source: string): YamlNode[] {
  const out: YamlNode[] = [];
  const docs = parseAllDocuments(text, { schema: "failsafe" });
  const last = docs[docs.length - 1];
  if (last) dropEofLineBreak(last, text);
  for (const doc of docs) {
    if ("errors" in doc && doc.errors.length > 0) {
      throw new Error(`invalid YAML in patch ${source}: ${doc.errors[0]!.message}`);
    }
    if (text.includes("*")) expandAliases(doc, `patch ${source}`);
    const contents = doc.contents as YamlNode | null;
    if (contents === null || (textOf(contents) ?? "x") === "") continue;
    out.push(contents);
  }
  return out;
}

/** Whether a map anywhere in the node has a null key (`: x`), which kustomize cannot turn into JSON. */
function hasNullKey(node: unknown): boolean {
  if (isSeq(node)) return node.items.some(hasNullKey);
  if (!isMap(node)) return false;
  return node.items.some((p) => isNullScalar(p.key) || hasNullKey(p.value));
}

/** A `kind: List` patch stands for its items, as in kustomize's resource factory. */
function expandList(doc: YamlNode): YAMLMap[] {
  if (!isMap(doc)) return [];
  const items = fieldOf(doc, "items");
  if (textOf(fieldOf(doc, "kind")) !== "List" || !isSeq(items)) return [doc];
  return items.items.filter((i): i is YAMLMap => isMap(i));
}
