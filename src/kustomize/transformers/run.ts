import type { Accumulator } from "../accumulator.js";
import { KustomizeError } from "../errors.js";
import type { Target } from "../build.js";
import type { FieldSpec, LabelArgs } from "../kustomization.js";
import type { PatchSchema } from "../openapi/schema.js";
import { setPairs } from "./labels.js";
import { addNameAffix } from "./name-affix.js";
import { setNamespace } from "./namespace.js";
import { applyPatch } from "../patch/apply.js";
import { applyLegacyJson6902, applyLegacyStrategicMerge, loadLegacyStrategicMerge } from "../patch/legacy.js";
import { loadPatch, type PatchSpec } from "../patch/load.js";
import type { TargetSelector } from "../patch/select.js";
import type { Resource } from "../resource.js";
import { runExtensionSeams } from "./seams.js";

function mergeSpecs(...lists: ReadonlyArray<readonly FieldSpec[]>): FieldSpec[] {
  const out: FieldSpec[] = [];
  const seen = new Set<string>();
  for (const l of lists) {
    for (const s of l) {
      const key = `${s.group ?? ""}|${s.version ?? ""}|${s.kind ?? ""}|${s.path}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(s);
    }
  }
  return out;
}

function labelSpecs(label: LabelArgs, ra: Accumulator): FieldSpec[] {
  const own = label.fields ?? [];
  if (label.includeSelectors) return mergeSpecs(own, ra.config.labels, ra.config.commonLabels);
  const templates = label.includeTemplates ? ra.config.templateLabels : [];
  return mergeSpecs(own, ra.config.labels, templates, [{ path: "metadata/labels", create: true }]);
}

/**
 * Runs a kustomization's built-in transformers in kustomize's fixed order: patchesStrategicMerge,
 * patches, namespace, namePrefix, nameSuffix, labels/commonLabels, commonAnnotations,
 * patchesJson6902, replicas, images, replacements; then the `transformers:` field.
 */
export function runTransformers(t: Target, ra: Accumulator, schema: PatchSchema): void {
  const k = t.k;
  ra.resources = runPatches(t, ra.resources, schema);
  if (k.namespace) setNamespace(ra.resources, k.namespace, ra.config.namespace);
  if (k.namePrefix) addNameAffix(ra.resources, k.namePrefix, "prefix", ra.config.namePrefix);
  if (k.nameSuffix) addNameAffix(ra.resources, k.nameSuffix, "suffix", ra.config.nameSuffix);
  for (const label of k.labels ?? []) setPairs(ra.resources, label.pairs ?? {}, labelSpecs(label, ra));
  if (k.commonLabels) setPairs(ra.resources, k.commonLabels, ra.config.commonLabels);
  if (k.commonAnnotations) setPairs(ra.resources, k.commonAnnotations, ra.config.commonAnnotations);
  runLegacyJson6902(t, ra.resources, schema);
  runExtensionSeams(t, ra, schema);
}

type LegacyJsonEntry = { target?: TargetSelector; path?: string; patch?: string };

/** patchesStrategicMerge then patches: the first two transformers of every kustomization. */
function runPatches(t: Target, resources: Resource[], schema: PatchSchema): Resource[] {
  const read = (p: string): string => t.ldr.read(p).text;
  let out = resources;
  const legacy = t.k.patchesStrategicMerge;
  if (legacy !== undefined) {
    const loaded = loadLegacyStrategicMerge(legacy.map(String), read);
    if (loaded.length === 0) throw new KustomizeError("patch appears to be empty in patchesStrategicMerge", { file: t.file });
    out = applyLegacyStrategicMerge(out, loaded, schema);
  }
  for (const spec of (t.k.patches ?? []) as PatchSpec[]) out = applyPatch(out, loadPatch(spec, read), schema);
  return out;
}

function runLegacyJson6902(t: Target, resources: Resource[], schema: PatchSchema): void {
  const read = (p: string): string => t.ldr.read(p).text;
  for (const e of (t.k.patchesJson6902 ?? []) as LegacyJsonEntry[]) {
    if (!e.target) throw new KustomizeError("patchesJson6902 entry needs a target", { file: t.file });
    applyLegacyJson6902(resources, { target: e.target, ...(e.path ? { path: e.path } : {}), ...(e.patch ? { jsonOp: e.patch } : {}) }, read, schema);
  }
}
