import { isMap, isScalar, isSeq, YAMLMap } from "yaml";
import type { PatchSchema } from "../openapi/schema.js";
import { Resource, newStringScalar, parseApiVersion, setIn, stringMap, type ResId } from "../resource.js";
import { applyJson6902, type JsonPatchOp } from "./json6902.js";
import type { LoadedPatch, PatchOptions } from "./load.js";
import { fieldOf, isNullScalar, removeField, textOf } from "./nodes.js";
import { compileSelector, effectiveNamespace, type ClusterScopeTest, type TargetSelector } from "./select.js";
import { applyStrategicMergePatch } from "./strategic-merge.js";
import { quoteTaglessNonStrings } from "../transformers/scalar-tag.js";

/**
 * Applies one loaded `patches:` entry to the build's resources, in kustomize's way, and returns the
 * resources that remain (a strategic merge patch can delete some). Strategic merge patches with a
 * target patch every selected resource; without one, each patch document patches the single
 * resource whose current or earlier id equals the patch's own id (an error when none does). JSON
 * 6902 patches patch every selected resource; selecting none is not an error, as in kustomize.
 */
export function applyPatch(resources: readonly Resource[], patch: LoadedPatch, schema: PatchSchema): Resource[] {
  const scope: ClusterScopeTest = (v, k) => schema.isClusterScoped(v, k);
  // kustomize checks these when the patch runs, not when it is loaded.
  if (patch.type === "json6902") {
    if (patch.target === undefined) throw new Error(`must specify a target for JSON patch ${patch.source}`);
    applyJson6902ToSelected(resources, patch.ops, { source: patch.source, target: patch.target, schema, rememberIds: true });
    return [...resources];
  }
  if (patch.target !== undefined && patch.patches.length > 1) {
    throw new Error(
      `Multiple Strategic-Merge Patches in one \`patches\` entry is not allowed to set \`patches.target\` field: ${patch.source}`,
    );
  }
  if (patch.target !== undefined) {
    const selector = compileSelector(patch.target);
    const template = patch.patches[0]!;
    const kind = textOf(fieldOf(template, "kind")) ?? "";
    return resources.filter((res) => {
      if (!selector.matches(res, scope)) return true;
      const copy = template.clone() as YAMLMap;
      copyMergeMetadata(copy);
      setIn(copy, "apiVersion", newStringScalar(res.apiVersion()));
      setIn(copy, "kind", newStringScalar(kind));
      return applyStrategicMergeToResource(res, copy, schema, patch.options);
    });
  }
  let current = [...resources];
  let deletedOne = false;
  for (const doc of patch.patches) {
    if (deletedOne) {
      // kustomize v5.5 keeps the emptied resource in its map until the entry is done, and the
      // next id lookup dereferences it: the build dies with a nil-pointer panic. Fail likewise.
      throw new Error(
        `patch ${patch.source}: a document after one that deletes a resource cannot be applied (kustomize v5.5 panics here); split the patch into separate entries`,
      );
    }
    const target = findById(current, idOfNode(doc), scope, patch.source);
    if (!applyStrategicMergeToResource(target, doc, schema, patch.options)) {
      current = current.filter((r) => r !== target);
      deletedOne = true;
    }
  }
  return current;
}

/**
 * kustomize's ResMap.ApplySmPatch (a `patches:` entry with a target, and `patchesStrategicMerge`)
 * first runs CopyMergeMetaDataFieldsFrom on the patch: its labels and annotations are set again as
 * string maps, so `0` patches in as `"0"`, and an empty or null map is dropped, so it deletes
 * nothing. A `patches:` entry without a target patches as written.
 */
export function copyMergeMetadata(patch: YAMLMap): void {
  const md = fieldOf(patch, "metadata");
  if (!isMap(md)) return;
  for (const field of ["labels", "annotations"]) {
    const node = fieldOf(md, field);
    if (node === undefined) continue;
    const values = stringMap(node);
    if (values.size === 0) {
      removeField(md, field);
      continue;
    }
    const m = new YAMLMap();
    for (const k of [...values.keys()].sort()) setIn(m, k, newStringScalar(values.get(k)!));
    setIn(md, field, m);
  }
}

/**
 * Applies one strategic merge patch document to one resource, keeping its name, namespace and kind
 * unless `options` allow the change (kustomize's Resource.ApplySmPatch). Returns false when the
 * patch deleted the resource. Exported for `patchesStrategicMerge` and for callers that already
 * hold the target.
 */
export function applyStrategicMergeToResource(
  res: Resource,
  patch: YAMLMap,
  schema: PatchSchema,
  options: PatchOptions = {},
): boolean {
  const name = res.name();
  const namespace = res.namespace();
  const kind = res.kind();
  if (options.allowNameChange === true || options.allowKindChange === true) res.rememberId();
  const result = applyStrategicMergePatch(res.node, patch, schema);
  if (result === null) return false;
  quoteTaglessNonStrings(res.node);
  if (options.allowKindChange !== true) setIn(res.node, "kind", newStringScalar(kind));
  if (options.allowNameChange !== true) res.setName(name);
  if (namespace !== "") res.setNamespace(namespace);
  else {
    const md = res.metadata();
    if (md !== undefined) removeField(md, "namespace");
  }
  return true;
}

interface Json6902Context {
  readonly source: string;
  readonly target: TargetSelector;
  readonly schema: PatchSchema;
  /** `patches:` entries record the old id (so renames fix references); legacy patchesJson6902 does not. */
  readonly rememberIds: boolean;
}

/**
 * Applies decoded JSON 6902 operations to every resource the target selects. Like kustomize, an
 * emptied `metadata.annotations` map is dropped afterwards.
 */
export function applyJson6902ToSelected(resources: readonly Resource[], ops: readonly JsonPatchOp[], ctx: Json6902Context): void {
  const selector = compileSelector(ctx.target);
  const scope: ClusterScopeTest = (v, k) => ctx.schema.isClusterScoped(v, k);
  for (const res of resources) {
    if (!selector.matches(res, scope)) continue;
    if (ctx.rememberIds) res.rememberId();
    ensureAnnotationsMap(res);
    applyJson6902(res.node, ops, ctx.source);
    checkAfterJsonPatch(res, ctx.source);
    const md = res.metadata();
    const annotations = md && fieldOf(md, "annotations");
    if (md && isMap(annotations) && annotations.items.length === 0) removeField(md, "annotations");
  }
}

/**
 * During a kustomize build every resource carries internal annotations (kio's index and path,
 * kustomize's build annotations), so a JSON patch always finds a `metadata.annotations` map:
 * `add /metadata/annotations/x` works on a resource whose source has none (issue 18).
 */
function ensureAnnotationsMap(res: Resource): void {
  const md = res.metadata(true);
  if (!md) return;
  const annotations = fieldOf(md, "annotations");
  if (annotations === undefined || isNullScalar(annotations)) setIn(md, "annotations", new YAMLMap());
}

/**
 * kustomize re-reads a resource after a JSON patch: it must still have a string name, and its
 * annotations must still be a map (they are re-set as strings). Otherwise the build fails there.
 */
function checkAfterJsonPatch(res: Resource, source: string): void {
  const md = res.metadata();
  const name = md && fieldOf(md, "name");
  if (res.name() === "" || !isScalar(name) || isNullScalar(name)) {
    throw new Error(`missing metadata.name in object ${res.apiVersion()} ${res.kind()} after JSON patch ${source}`);
  }
  const annotations = md && fieldOf(md, "annotations");
  if (isSeq(annotations)) {
    throw new Error(`metadata.annotations of ${res.apiVersion()} ${res.kind()} ${res.name()} is a list after JSON patch ${source}`);
  }
  // A scalar reads as no annotations, and re-setting none removes the field.
  if (md && isScalar(annotations)) removeField(md, "annotations");
}

/** The id a patch document names (its apiVersion, kind, metadata.name and metadata.namespace). */
export function idOfNode(node: YAMLMap): ResId {
  const md = fieldOf(node, "metadata");
  const meta = isMap(md) ? md : undefined;
  return {
    gvk: { ...parseApiVersion(textOf(fieldOf(node, "apiVersion")) ?? ""), kind: textOf(fieldOf(node, "kind")) ?? "" },
    name: (meta && textOf(fieldOf(meta, "name"))) ?? "",
    namespace: (meta && textOf(fieldOf(meta, "namespace"))) ?? "",
  };
}

/** kustomize's ResId.String(): `Kind.version.group/name.namespace` with placeholders for blanks. */
export function resIdText(id: ResId): string {
  const g = id.gvk;
  return `${g.kind || "[noKind]"}.${g.version || "[noVer]"}.${g.group || "[noGrp]"}/${id.name || "[noName]"}.${id.namespace || "[noNs]"}`;
}

function idEquals(a: ResId, b: ResId, scope: ClusterScopeTest): boolean {
  return (
    a.name === b.name &&
    a.gvk.group === b.gvk.group &&
    a.gvk.version === b.gvk.version &&
    a.gvk.kind === b.gvk.kind &&
    effectiveNamespace(a, scope) === effectiveNamespace(b, scope)
  );
}

/**
 * The one resource whose current or any earlier id equals `id` (kustomize's GetById), or an error
 * naming the patch. Exported for `patchesStrategicMerge`.
 */
export function findById(resources: readonly Resource[], id: ResId, scope: ClusterScopeTest, source: string): Resource {
  const found = resources.filter((r) => [...r.previousIds, r.id()].some((other) => idEquals(other, id, scope)));
  if (found.length === 1) return found[0]!;
  const what = found.length === 0 ? "no matches" : "multiple matches";
  const text = resIdText(id);
  throw new Error(
    `no resource matches strategic merge patch "${text}": ${what} for Id ${text}; failed to find unique target for patch ${text} (patch ${source})`,
  );
}
