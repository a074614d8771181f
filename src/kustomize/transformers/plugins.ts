import type { Accumulator } from "../accumulator.js";
import type { Target } from "../build.js";
import { KustomizeError } from "../errors.js";
import { absorb } from "../generators/run.js";
import { generate, type GeneratorKind } from "../generators/generate.js";
import type { FieldSpec, GeneratorArgs } from "../kustomization.js";
import type { PatchSchema } from "../openapi/schema.js";
import { toGoValue, type GoValue } from "../output/go-value.js";
import { applyPatch } from "../patch/apply.js";
import { applyLegacyJson6902, applyLegacyStrategicMerge, loadLegacyStrategicMerge } from "../patch/legacy.js";
import { loadPatch } from "../patch/load.js";
import type { TargetSelector } from "../patch/select.js";
import { addTransformation, type Origin } from "../origin.js";
import path from "node:path";
import { parse as parseYaml, YAMLMap } from "yaml";
import { getMapPath, newStringScalar, Resource, setIn } from "../resource.js";
import { applyImages, type ImageSpec } from "./images.js";
import { setPairs } from "./labels.js";
import { applyReplacements, loadReplacements, type Replacement } from "./replacements.js";
import { applyReplicas, type ReplicaSpec } from "./replicas.js";
import { applyValueAdd, type ValueAddTarget } from "./value-add.js";
import { addNameAffix } from "./name-affix.js";
import { setNamespace } from "./namespace.js";

/** A plugin configuration as plain data (kind, metadata and the plugin's own fields). */
export type PluginConfig = Record<string, unknown>;

/** Plain JS from the JSON data model (bigints become numbers; only small config values occur). */
function plain(v: GoValue): unknown {
  if (v instanceof Map) return Object.fromEntries([...v].map(([k, x]) => [k, plain(x)]));
  if (Array.isArray(v)) return v.map(plain);
  return typeof v === "bigint" ? Number(v) : v;
}

/** Reads a plugin config resource into plain data. */
export function pluginConfig(r: Resource): PluginConfig {
  return plain(toGoValue(r.node)) as PluginConfig;
}

const specsOf = (c: PluginConfig): FieldSpec[] => (Array.isArray(c["fieldSpecs"]) ? (c["fieldSpecs"] as FieldSpec[]) : []);
const strMap = (v: unknown): Record<string, string> =>
  Object.fromEntries(Object.entries((v ?? {}) as Record<string, unknown>).map(([k, x]) => [k, text(x)]));
/** A config field as text ("" when absent or not a scalar). */
const text = (v: unknown): string => (typeof v === "string" || typeof v === "number" || typeof v === "boolean" ? String(v) : "");
const meta = (c: PluginConfig): Record<string, unknown> => (c["metadata"] ?? {}) as Record<string, unknown>;

type Runner = (c: PluginConfig, t: Target, ra: Accumulator, schema: PatchSchema) => void;

const TRANSFORMERS: Record<string, Runner> = {
  LabelTransformer: (c, _t, ra) => setPairs(ra.resources, strMap(c["labels"]), specsOf(c)),
  AnnotationsTransformer: (c, _t, ra) => setPairs(ra.resources, strMap(c["annotations"]), specsOf(c)),
  PrefixSuffixTransformer: (c, _t, ra) => {
    addNameAffix(ra.resources, text(c["prefix"]), "prefix", specsOf(c));
    addNameAffix(ra.resources, text(c["suffix"]), "suffix", specsOf(c));
  },
  PrefixTransformer: (c, _t, ra) => addNameAffix(ra.resources, text(c["prefix"]), "prefix", specsOf(c)),
  SuffixTransformer: (c, _t, ra) => addNameAffix(ra.resources, text(c["suffix"]), "suffix", specsOf(c)),
  NamespaceTransformer: (c, _t, ra) => {
    const ns = text(meta(c)["namespace"]);
    if (ns !== "") setNamespace(ra.resources, ns, specsOf(c));
  },
  PatchTransformer: (c, t, ra, schema) => {
    const read = (p: string): string => t.ldr.read(p).text;
    ra.resources = applyPatch(ra.resources, loadPatch(c, read), schema);
  },
  PatchStrategicMergeTransformer: (c, t, ra, schema) => {
    const read = (p: string): string => t.ldr.read(p).text;
    const entries = [...((c["paths"] as string[] | undefined) ?? []), ...(c["patches"] ? [text(c["patches"])] : [])];
    ra.resources = applyLegacyStrategicMerge(ra.resources, loadLegacyStrategicMerge(entries, read), schema);
  },
  ImageTagTransformer: (c, _t, ra) => applyImages(ra.resources, [c["imageTag"] as ImageSpec], specsOf(c)),
  ReplicaCountTransformer: (c, _t, ra) => applyReplicas(ra.resources, [c["replica"] as ReplicaSpec], specsOf(c)),
  ReplacementTransformer: (c, t, ra, schema) => {
    const read = (p: string): string => t.ldr.read(p).text;
    const list = loadReplacements((c["replacements"] ?? []) as Array<Replacement & { path?: string }>, read);
    applyReplacements(ra.resources, list, (v, kind) => schema.isClusterScoped(v, kind));
  },
  ValueAddTransformer: (c, t, ra, schema) => {
    const value = text(c["value"]).trim() || path.basename(t.ldr.dir);
    const targets = [...((c["targets"] ?? []) as ValueAddTarget[])];
    const file = text(c["targetFilePath"]);
    if (file !== "") {
      const more = (parseYaml(t.ldr.read(file).text) ?? {}) as { targets?: ValueAddTarget[] };
      targets.push(...(more.targets ?? []));
    }
    applyValueAdd(ra.resources, targets, value, schema);
  },
  PatchJson6902Transformer: (c, t, ra, schema) => {
    const read = (p: string): string => t.ldr.read(p).text;
    const spec = { target: c["target"] as TargetSelector, path: c["path"] as string | undefined, jsonOp: c["jsonOp"] as string | undefined };
    applyLegacyJson6902(ra.resources, spec, read, schema);
  },
};

/** Runs the `transformers:` field's configured builtin transformers, in order. */
export function runTransformerPlugins(configs: readonly Resource[], t: Target, ra: Accumulator, schema: PatchSchema): void {
  for (const r of configs) {
    const runner = TRANSFORMERS[r.kind()];
    if (!runner || r.apiVersion() !== "builtin") {
      throw new KustomizeError(`unable to load builtin ${r.kind()}.${r.apiVersion()}: plugins are disabled`, { file: t.file });
    }
    runner(pluginConfig(r), t, ra, schema);
    const origin = configOrigin(r);
    if (origin) for (const res of ra.resources) addTransformation(res, origin);
  }
}

/** kustomize's IAMPolicyGenerator (GKE only): a ServiceAccount bound to a Google service account. */
function iamServiceAccount(c: PluginConfig, t: Target): Resource {
  if (text(c["cloud"]) !== "gke") throw new KustomizeError(`IAMPolicyGenerator: unsupported cloud '${text(c["cloud"])}'`, { file: t.file });
  const ks = (c["kubernetesService"] ?? {}) as Record<string, unknown>;
  const sa = (c["serviceAccount"] ?? {}) as Record<string, unknown>;
  const node = new YAMLMap();
  setIn(node, "apiVersion", newStringScalar("v1"));
  setIn(node, "kind", newStringScalar("ServiceAccount"));
  const res = new Resource(node, t.file);
  const md = res.metadata(true)!;
  setIn(md, "annotations", new YAMLMap());
  const email = `${text(sa["name"])}@${text(sa["projectId"])}.iam.gserviceaccount.com`;
  setIn(getMapPath(md, ["annotations"], true)!, "iam.gke.io/gcp-service-account", newStringScalar(email));
  res.setName(text(ks["name"]));
  if (text(ks["namespace"]) !== "") res.setNamespace(text(ks["namespace"]));
  return res;
}

/** The origin of what a plugin config produces: the config's file and identity. */
function configOrigin(config: Resource): Origin | undefined {
  if (!config.originInfo) return undefined;
  const by: NonNullable<Origin["configuredBy"]> = { apiVersion: config.apiVersion(), kind: config.kind() };
  if (config.name()) by.name = config.name();
  if (config.namespace()) by.namespace = config.namespace();
  return { configuredIn: config.originInfo.path ?? config.originInfo.configuredIn ?? "", configuredBy: by };
}

/** Runs the `generators:` field's configured builtin generators (ConfigMap and Secret). */
export function runGeneratorPlugins(configs: readonly Resource[], t: Target, ra: Accumulator): void {
  for (const r of configs) {
    const kind = r.kind();
    if (kind === "IAMPolicyGenerator" && r.apiVersion() === "builtin") {
      const res = iamServiceAccount(pluginConfig(r), t);
      res.originInfo = configOrigin(r);
      absorb(ra, res, t.file);
      continue;
    }
    if ((kind !== "ConfigMapGenerator" && kind !== "SecretGenerator") || r.apiVersion() !== "builtin") {
      throw new KustomizeError(`unable to load builtin ${kind}.${r.apiVersion()}: plugins are disabled`, { file: t.file });
    }
    const c = pluginConfig(r);
    const args: GeneratorArgs = { ...(c as GeneratorArgs) };
    args.name = text(c["name"]) || text(meta(c)["name"]);
    const ns = text(c["namespace"]) || text(meta(c)["namespace"]);
    if (ns !== "") args.namespace = ns;
    const genKind: GeneratorKind = kind === "ConfigMapGenerator" ? "ConfigMap" : "Secret";
    const res = generate(genKind, t.ldr, args, undefined);
    res.originInfo = configOrigin(r);
    absorb(ra, res, t.file);
  }
}
