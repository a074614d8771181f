import type { Accumulator } from "../accumulator.js";
import type { Target } from "../build.js";
import { KustomizeError } from "../errors.js";
import type { FieldSpec, LabelArgs } from "../kustomization.js";
import type { PatchSchema } from "../openapi/schema.js";
import { addTransformation, joinOrigin } from "../origin.js";
import { applyPatch } from "../patch/apply.js";
import { applyLegacyJson6902, applyLegacyStrategicMerge, loadLegacyStrategicMerge } from "../patch/legacy.js";
import { loadPatch, type PatchSpec } from "../patch/load.js";
import type { TargetSelector } from "../patch/select.js";
import { applyImages, type ImageSpec } from "./images.js";
import { setPairs } from "./labels.js";
import { addNameAffix } from "./name-affix.js";
import { setNamespace } from "./namespace.js";
import { applyReplacements, loadReplacements, type Replacement } from "./replacements.js";
import { applyReplicas, type ReplicaSpec } from "./replicas.js";

/**
 * One builtin transformer: kustomize's plugin kind (for annotations) and its configuration, which
 * reads and checks its inputs and returns the work. kustomize configures every builtin transformer
 * of a kustomization before it runs any, so a configuration error (an unreadable patch file) wins
 * over an error of an earlier transformer's run (issue 18).
 */
type Step = [kind: string, configure: () => () => void];

/** A step whose configuration has nothing to read or check. */
const now = (run: () => void) => (): (() => void) => run;

function mergeSpecs(...lists: ReadonlyArray<readonly FieldSpec[]>): FieldSpec[] {
  const out: FieldSpec[] = [];
  const seen = new Set<string>();
  for (const s of lists.flat()) {
    const key = `${s.group ?? ""}|${s.version ?? ""}|${s.kind ?? ""}|${s.path}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(s);
  }
  return out;
}

function labelSpecs(label: LabelArgs, ra: Accumulator): FieldSpec[] {
  const own = label.fields ?? [];
  if (label.includeSelectors) return mergeSpecs(own, ra.config.labels, ra.config.commonLabels);
  const templates = label.includeTemplates ? ra.config.templateLabels : [];
  return mergeSpecs(own, ra.config.labels, templates, [{ path: "metadata/labels", create: true }]);
}

type LegacyJsonEntry = { target?: TargetSelector; path?: string; patch?: string };

function patchSteps(t: Target, ra: Accumulator, schema: PatchSchema): Step[] {
  const read = (p: string): string => t.ldr.read(p).text;
  const steps: Step[] = [];
  const legacy = t.k.patchesStrategicMerge;
  if (legacy !== undefined) {
    steps.push(["PatchStrategicMergeTransformer", () => {
      const loaded = loadLegacyStrategicMerge(legacy.map(String), read);
      if (loaded.length === 0) throw new KustomizeError("patch appears to be empty in patchesStrategicMerge", { file: t.file });
      return () => (ra.resources = applyLegacyStrategicMerge(ra.resources, loaded, schema));
    }]);
  }
  for (const spec of (t.k.patches ?? []) as PatchSpec[]) {
    steps.push(["PatchTransformer", () => {
      const loaded = loadPatch(spec, read);
      return () => (ra.resources = applyPatch(ra.resources, loaded, schema));
    }]);
  }
  return steps;
}

function metadataSteps(t: Target, ra: Accumulator): Step[] {
  const k = t.k;
  const steps: Step[] = [];
  if (k.namespace) steps.push(["NamespaceTransformer", now(() => setNamespace(ra.resources, k.namespace!, ra.config.namespace))]);
  if (k.namePrefix) steps.push(["PrefixTransformer", now(() => addNameAffix(ra.resources, k.namePrefix!, "prefix", ra.config.namePrefix))]);
  if (k.nameSuffix) steps.push(["SuffixTransformer", now(() => addNameAffix(ra.resources, k.nameSuffix!, "suffix", ra.config.nameSuffix))]);
  if (k.labels?.length || (k.commonLabels && Object.keys(k.commonLabels).length > 0)) {
    for (const label of k.labels ?? []) {
      steps.push(["LabelTransformer", now(() => setPairs(ra.resources, label.pairs ?? {}, labelSpecs(label, ra)))]);
    }
    steps.push(["LabelTransformer", now(() => setPairs(ra.resources, k.commonLabels ?? {}, ra.config.commonLabels))]);
  }
  if (k.commonAnnotations && Object.keys(k.commonAnnotations).length > 0) {
    steps.push(["AnnotationsTransformer", now(() => setPairs(ra.resources, k.commonAnnotations!, ra.config.commonAnnotations))]);
  }
  return steps;
}

function laterSteps(t: Target, ra: Accumulator, schema: PatchSchema): Step[] {
  const k = t.k;
  const read = (p: string): string => t.ldr.read(p).text;
  const steps: Step[] = [];
  for (const e of (k.patchesJson6902 ?? []) as LegacyJsonEntry[]) {
    steps.push(["PatchJson6902Transformer", now(() => {
      if (!e.target) throw new KustomizeError("patchesJson6902 entry needs a target", { file: t.file });
      const spec = { target: e.target, ...(e.path ? { path: e.path } : {}), ...(e.patch ? { jsonOp: e.patch } : {}) };
      applyLegacyJson6902(ra.resources, spec, read, schema);
    })]);
  }
  for (const r of (k.replicas ?? []) as ReplicaSpec[]) {
    steps.push(["ReplicaCountTransformer", now(() => applyReplicas(ra.resources, [r], ra.config.replicas))]);
  }
  for (const image of (k.images ?? []) as ImageSpec[]) {
    steps.push(["ImageTagTransformer", now(() => applyImages(ra.resources, [image], ra.config.images))]);
  }
  if (k.replacements?.length) {
    steps.push(["ReplacementTransformer", () => {
      const list = loadReplacements(k.replacements as Array<Replacement & { path?: string }>, read);
      return () => applyReplacements(ra.resources, list, (v, kind) => schema.isClusterScoped(v, kind));
    }]);
  }
  return steps;
}

/**
 * Runs a kustomization's built-in transformers in kustomize's fixed order: patchesStrategicMerge,
 * patches, namespace, namePrefix, nameSuffix, labels/commonLabels, commonAnnotations,
 * patchesJson6902, replicas, images, replacements. With buildMetadata on, each run is recorded on
 * every resource, as kustomize does.
 */
export function runTransformers(t: Target, ra: Accumulator, schema: PatchSchema): void {
  const steps = [...patchSteps(t, ra, schema), ...metadataSteps(t, ra), ...laterSteps(t, ra, schema)];
  const configured = steps.map(([kind, configure]) => [kind, configure()] as const);
  for (const [kind, run] of configured) {
    run();
    if (t.originPath === undefined) continue;
    const origin = { configuredIn: joinOrigin(t.originPath, t.fileName), configuredBy: { apiVersion: "builtin", kind } };
    for (const r of ra.resources) addTransformation(r, origin);
  }
}
