import { KustomizeError } from "./errors.js";

/**
 * Go-style type checks of a parsed kustomization. kustomize decodes the file into typed Go
 * structs through JSON, so a YAML 1.1 boolean or a number where a string belongs (`namespace:
 * yes`, `commonLabels: {version: 1}`, `newTag: 1.0`) fails the build; nulls mean "unset".
 */
type Leaf = "string" | "bool" | "int" | "strings" | "stringMap" | "any";
interface Shape {
  readonly [field: string]: Leaf | Shape | { readonly list: Shape };
}
type FieldType = Leaf | Shape | { readonly list: Shape };

const GEN_OPTIONS: Shape = { labels: "stringMap", annotations: "stringMap", disableNameSuffixHash: "bool", immutable: "bool" };
const GENERATOR: Shape = {
  name: "string", namespace: "string", behavior: "string", files: "strings", literals: "strings",
  envs: "strings", env: "string", options: GEN_OPTIONS, type: "string",
};
const SELECTOR: Shape = {
  group: "string", version: "string", kind: "string", name: "string", namespace: "string",
  labelSelector: "string", annotationSelector: "string",
};

const KUSTOMIZATION: Shape = {
  apiVersion: "string", kind: "string", namePrefix: "string", nameSuffix: "string", namespace: "string",
  commonLabels: "stringMap", commonAnnotations: "stringMap",
  labels: { list: { pairs: "stringMap", includeSelectors: "bool", includeTemplates: "bool", fields: "any" } },
  resources: "strings", bases: "strings", components: "strings", crds: "strings", configurations: "strings",
  generators: "strings", transformers: "strings", validators: "strings", buildMetadata: "strings",
  patchesStrategicMerge: "strings",
  patches: { list: { path: "string", patch: "string", target: SELECTOR, options: "any" } },
  patchesJson6902: { list: { path: "string", patch: "string", target: SELECTOR } },
  images: { list: { name: "string", newName: "string", newTag: "string", digest: "string", tagSuffix: "string" } },
  imageTags: { list: { name: "string", newName: "string", newTag: "string", digest: "string" } },
  replicas: { list: { name: "string", count: "int" } },
  configMapGenerator: { list: GENERATOR }, secretGenerator: { list: GENERATOR }, generatorOptions: GEN_OPTIONS,
};

function goType(v: unknown): string {
  if (Array.isArray(v)) return "array";
  if (typeof v === "object") return "object";
  if (typeof v === "boolean") return "bool";
  if (typeof v === "number" || typeof v === "bigint") return "number";
  return "string";
}

function fail(v: unknown, where: string, want: string, file: string): never {
  throw new KustomizeError(`invalid Kustomization: json: cannot unmarshal ${goType(v)} into Go struct field ${where} of type ${want}`, { file });
}

function checkLeaf(v: unknown, t: Leaf, where: string, file: string): void {
  if (t === "any") return;
  if (t === "string" && typeof v !== "string") fail(v, where, "string", file);
  if (t === "bool" && typeof v !== "boolean") fail(v, where, "bool", file);
  if (t === "int" && !(typeof v === "number" && Number.isInteger(v))) fail(v, where, "int64", file);
  if (t === "strings" || t === "stringMap") checkCollection(v, t, where, file);
}

function checkCollection(v: unknown, t: "strings" | "stringMap", where: string, file: string): void {
  if (t === "strings") {
    if (!Array.isArray(v)) fail(v, where, "[]string", file);
    for (const x of v as unknown[]) if (x !== null && typeof x !== "string") fail(x, where, "string", file);
    return;
  }
  if (typeof v !== "object" || Array.isArray(v)) fail(v, where, "map[string]string", file);
  for (const x of Object.values(v as object)) if (x !== null && typeof x !== "string") fail(x, where, "string", file);
}

function checkField(v: unknown, t: FieldType, where: string, file: string): void {
  if (v === null || v === undefined) return;
  if (typeof t === "string") return checkLeaf(v, t, where, file);
  if ("list" in t && typeof t.list === "object") {
    if (!Array.isArray(v)) fail(v, where, "[]struct", file);
    for (const item of v as unknown[]) checkShape(item, t.list, where, file);
    return;
  }
  checkShape(v, t, where, file);
}

function checkShape(v: unknown, shape: Shape, where: string, file: string): void {
  if (v === null || v === undefined) return;
  if (typeof v !== "object" || Array.isArray(v)) fail(v, where, "struct", file);
  for (const [field, t] of Object.entries(shape)) {
    checkField((v as Record<string, unknown>)[field], t, `${where}.${field}`, file);
  }
}

/** Throws kustomize's decoding error when a known field has the wrong type. */
export function checkKustomizationTypes(k: Record<string, unknown>, file: string): void {
  for (const [field, t] of Object.entries(KUSTOMIZATION)) checkField(k[field], t, `Kustomization.${field}`, file);
}

/**
 * Issue 18: kustomize decodes the file into Go structs, where an explicit `null` is the field's
 * zero value: an unset field, an empty string in a string list or map, an empty struct in a list
 * of structs. Written that way here too, so no transformer meets a null where it expects a list.
 */
export function zeroNulls(k: Record<string, unknown>): void {
  zeroInObject(k, KUSTOMIZATION);
}

/** The same for a value decoded without a known Go type (a replacements file). */
export function zeroNullsOf(v: unknown): unknown {
  return zeroValue(v, undefined);
}

function zeroInObject(o: Record<string, unknown>, shape: Shape | undefined, stringMap = false): void {
  for (const [field, v] of Object.entries(o)) {
    if (v === null || v === undefined) {
      if (stringMap) o[field] = "";
      else delete o[field];
      continue;
    }
    o[field] = zeroValue(v, shape?.[field]);
  }
}

function zeroValue(v: unknown, t: FieldType | undefined): unknown {
  if (Array.isArray(v)) return zeroInList(v, t);
  if (typeof v === "object" && v !== null) {
    const shape = typeof t === "object" && !("list" in t) ? t : undefined;
    zeroInObject(v as Record<string, unknown>, shape, t === "stringMap");
  }
  return v;
}

/** A null item is "" in a list of strings, an empty struct in a list of structs. */
function zeroInList(v: unknown[], t: FieldType | undefined): unknown[] {
  const item = typeof t === "object" && "list" in t ? (t.list as Shape) : undefined;
  const strings = t === "strings" || (t === undefined && v.some((x) => typeof x === "string"));
  return v.map((x: unknown) => (x === null || x === undefined ? (strings ? "" : {}) : zeroValue(x, item)));
}
