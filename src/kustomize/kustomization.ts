import { parseDocument } from "yaml";
import { dropEofLineBreak } from "./yaml-eof.js";
import { KustomizeError } from "./errors.js";
import { checkKustomizationTypes, zeroNulls } from "./kustomization-types.js";
import { lineOf } from "./parse.js";
import { GO_YAML_V2 } from "./yaml11.js";

/** A field spec: where in which kinds a transformer writes (kustomize's FieldSpec). */
export interface FieldSpec {
  group?: string;
  version?: string;
  kind?: string;
  path: string;
  create?: boolean;
}

/** Options shared by generators (kustomize's GeneratorOptions). */
export interface GeneratorOptions {
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  disableNameSuffixHash?: boolean;
  immutable?: boolean;
}

/** One configMapGenerator or secretGenerator entry. */
export interface GeneratorArgs {
  name?: string;
  namespace?: string;
  behavior?: string;
  files?: string[];
  literals?: string[];
  envs?: string[];
  env?: string;
  options?: GeneratorOptions;
  type?: string;
}

/** One `labels` entry. */
export interface LabelArgs {
  pairs?: Record<string, string>;
  includeSelectors?: boolean;
  includeTemplates?: boolean;
  fields?: FieldSpec[];
}

/** The parsed kustomization file; fields as in kustomize's v1beta1 Kustomization type. */
export interface Kustomization {
  apiVersion?: string;
  kind?: string;
  namePrefix?: string;
  nameSuffix?: string;
  namespace?: string;
  commonLabels?: Record<string, string>;
  labels?: LabelArgs[];
  commonAnnotations?: Record<string, string>;
  resources?: string[];
  components?: string[];
  crds?: string[];
  configMapGenerator?: GeneratorArgs[];
  secretGenerator?: GeneratorArgs[];
  generatorOptions?: GeneratorOptions;
  configurations?: string[];
  generators?: string[];
  transformers?: string[];
  validators?: string[];
  buildMetadata?: string[];
  sortOptions?: { order?: string; legacySortOptions?: { orderFirst?: string[]; orderLast?: string[] } };
  patchesStrategicMerge?: string[];
  patchesJson6902?: unknown[];
  patches?: unknown[];
  images?: unknown[];
  replicas?: unknown[];
  replacements?: unknown[];
  vars?: unknown[];
  openapi?: Record<string, string>;
  [key: string]: unknown;
}

const TOP_FIELDS = new Set([
  "apiVersion",
  "kind",
  "metadata",
  "openapi",
  "namePrefix",
  "nameSuffix",
  "namespace",
  "commonLabels",
  "labels",
  "commonAnnotations",
  "patchesStrategicMerge",
  "patchesJson6902",
  "patches",
  "images",
  "imageTags",
  "replacements",
  "replicas",
  "vars",
  "sortOptions",
  "resources",
  "components",
  "crds",
  "bases",
  "configMapGenerator",
  "secretGenerator",
  "helmGlobals",
  "helmCharts",
  "helmChartInflationGenerator",
  "generatorOptions",
  "configurations",
  "generators",
  "transformers",
  "validators",
  "buildMetadata",
]);

/** Fields of a configMapGenerator entry; a secretGenerator entry also has `type`. */
const GENERATOR_FIELDS = [
  "name",
  "namespace",
  "behavior",
  "files",
  "literals",
  "envs",
  "env",
  "options",
  "kvSources",
];

const NESTED_FIELDS: Record<string, Set<string>> = {
  labels: new Set(["pairs", "includeSelectors", "includeTemplates", "fields"]),
  configMapGenerator: new Set(GENERATOR_FIELDS),
  secretGenerator: new Set([...GENERATOR_FIELDS, "type"]),
  patches: new Set(["path", "patch", "target", "options"]),
  images: new Set(["name", "newName", "newTag", "digest", "tagSuffix"]),
  replicas: new Set(["name", "count"]),
};

/** Kinds a kustomization file may declare. */
export const KUSTOMIZATION_KIND = "Kustomization";
/** The kind of a component's kustomization file. */
export const COMPONENT_KIND = "Component";

function checkItemFields(list: unknown, field: string, allowed: Set<string>, file: string): void {
  if (!Array.isArray(list)) return;
  for (const item of list as unknown[]) {
    if (typeof item !== "object" || item === null) continue;
    const bad = Object.keys(item).find((key) => !allowed.has(key));
    if (bad !== undefined)
      throw new KustomizeError(`invalid Kustomization: json: unknown field "${bad}" in ${field}`, { file });
  }
}

const FOLDED_FIELDS = new Map([...TOP_FIELDS].map((f) => [f.toLowerCase(), f]));

/** Go's JSON decoding matches field names case-insensitively (`nameprefix` is `namePrefix`). */
function foldFieldNames(k: Record<string, unknown>): void {
  for (const key of Object.keys(k)) {
    const canonical = FOLDED_FIELDS.get(key.toLowerCase());
    if (canonical === undefined || canonical === key) continue;
    k[canonical] = k[key];
    delete k[key];
  }
}

function checkFields(k: Record<string, unknown>, file: string): void {
  foldFieldNames(k);
  for (const key of Object.keys(k)) {
    if (!TOP_FIELDS.has(key))
      throw new KustomizeError(`invalid Kustomization: json: unknown field "${key}"`, { file });
  }
  for (const [field, allowed] of Object.entries(NESTED_FIELDS))
    checkItemFields(k[field], field, allowed, file);
}

/** Fields kustomize's FixKustomization appends to another list: empty, they leave nothing behind. */
const MOVED_LISTS = new Set(["bases", "imageTags", "helmChartInflationGenerator"]);

/**
 * kustomize's CheckEmpty (issue 18): after decoding, a kustomization equal to Go's zero value but
 * for apiVersion and kind is an error. A field set to null, "" or a moved empty list is zero; `[]`
 * and `{}` elsewhere are not (Go keeps an empty slice or map apart from nil).
 */
function isEmptyKustomization(k: Kustomization): boolean {
  return Object.entries(k).every(([field, v]) => {
    if (field === "apiVersion" || field === "kind") return true;
    if (v === null || v === undefined || v === "" || v === 0 || v === false) return true;
    return MOVED_LISTS.has(field) && Array.isArray(v) && v.length === 0;
  });
}

/** Moves deprecated fields to their replacements, as kustomize's FixKustomization does. */
function fixLegacy(k: Kustomization): void {
  const bases = k["bases"];
  if (Array.isArray(bases)) {
    k.resources = [...(k.resources ?? []), ...(bases as string[])];
    delete k["bases"];
  }
  const imageTags = k["imageTags"];
  if (Array.isArray(imageTags)) {
    k.images = [...(k.images ?? []), ...(imageTags as unknown[])];
    delete k["imageTags"];
  }
  if (!k.apiVersion) k.apiVersion = "kustomize.config.k8s.io/v1beta1";
  if (!k.kind) k.kind = KUSTOMIZATION_KIND;
}

/** Parses and validates a kustomization file (unknown fields are errors, as in kustomize). */
export function parseKustomization(text: string, file: string): Kustomization {
  // Later duplicate keys win, as with the go-yaml v2 decoding kustomize uses for this file.
  // YAML 1.1 types, as the go-yaml v2 decoding kustomize uses (`yes` is a boolean there).
  const doc = parseDocument(text, { uniqueKeys: false, prettyErrors: false, ...GO_YAML_V2 });
  dropEofLineBreak(doc, text);
  const err = doc.errors[0];
  if (err) {
    throw new KustomizeError(`invalid YAML: ${err.message.split("\n")[0]}`, {
      file,
      line: lineOf(text, err.pos[0]),
    });
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    // Unresolved or excessive aliases surface only here, as the yaml package's ReferenceError.
    throw new KustomizeError(`invalid YAML: ${(err as Error).message}`, { file, cause: err });
  }
  if (value === null || value === undefined) return fixed({}, file);
  if (typeof value !== "object" || Array.isArray(value)) {
    throw new KustomizeError("a kustomization file must be a YAML mapping", { file });
  }
  return fixed(value as Kustomization, file);
}

function fixed(k: Kustomization, file: string): Kustomization {
  checkFields(k, file);
  checkKustomizationTypes(k, file);
  if (isEmptyKustomization(k)) throw new KustomizeError("kustomization.yaml is empty", { file });
  zeroNulls(k);
  if (k.kind && k.kind !== KUSTOMIZATION_KIND && k.kind !== COMPONENT_KIND) {
    throw new KustomizeError(`kind '${k.kind}' is not a Kustomization or Component`, { file });
  }
  if (
    k.kind === COMPONENT_KIND &&
    k.apiVersion !== undefined &&
    k.apiVersion !== "kustomize.config.k8s.io/v1alpha1"
  ) {
    throw new KustomizeError(`apiVersion for Component should be kustomize.config.k8s.io/v1alpha1`, { file });
  }
  fixLegacy(k);
  return k;
}
