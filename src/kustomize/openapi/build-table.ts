import {
  ADDITIONAL_PROPERTIES,
  type DefinitionJson,
  type FieldJson,
  type ListFieldJson,
  type SchemaTableJson,
} from "./table-format.js";

/**
 * Reduces an OpenAPI v2 document (Kubernetes swagger.json, or a custom schema given through the
 * kustomization `openapi:` field) to the compact table the strategic merge patch needs. It exists
 * so that the generator script and the runtime loader of custom schemas share one reduction.
 * Only definitions that lead to a list carrying merge extensions are kept: every other list is
 * replaced wholesale by a patch, which is also what happens when no schema is known at all.
 */
export function buildSchemaTable(doc: unknown, source: string): SchemaTableJson {
  const definitions = asRecord(asRecord(doc)["definitions"]);
  const raw = new Map<string, Map<string, FieldJson>>();
  for (const [name, schema] of Object.entries(definitions)) {
    collectDefinition(raw, name, asRecord(schema));
  }
  const keep = interestingDefinitions(raw);
  const defs: Record<string, DefinitionJson> = {};
  for (const name of [...keep].sort()) {
    const fields: Record<string, FieldJson> = {};
    for (const [field, value] of raw.get(name) ?? []) {
      if (fieldIsInteresting(value, keep)) fields[field] = pruneField(value, keep);
    }
    defs[name] = fields;
  }
  return { source, gvks: collectGvks(definitions, keep), defs, clusterScoped: clusterScopedKinds(asRecord(doc)) };
}

type Json = Record<string, unknown>;

function asRecord(value: unknown): Json {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Json) : {};
}

function refName(schema: Json): string | undefined {
  const ref = schema["$ref"];
  return typeof ref === "string" ? ref.replace(/^#\/definitions\//, "") : undefined;
}

/** Records one definition's fields; inline object schemas become synthetic definitions. */
function collectDefinition(raw: Map<string, Map<string, FieldJson>>, name: string, schema: Json): void {
  const fields = new Map<string, FieldJson>();
  raw.set(name, fields);
  for (const [field, sub] of Object.entries(asRecord(schema["properties"]))) {
    const described = describe(raw, `${name}.${field}`, asRecord(sub));
    if (described !== undefined) fields.set(field, described);
  }
  const extra = schema["additionalProperties"];
  if (typeof extra === "object" && extra !== null) {
    const described = describe(raw, `${name}.${ADDITIONAL_PROPERTIES}`, asRecord(extra));
    if (described !== undefined) fields.set(ADDITIONAL_PROPERTIES, described);
  }
}

function describe(raw: Map<string, Map<string, FieldJson>>, hint: string, schema: Json): FieldJson | undefined {
  const ref = refName(schema);
  if (ref !== undefined) return ref;
  if (schema["type"] === "array" || schema["items"] !== undefined) return describeList(raw, hint, schema);
  if (schema["properties"] !== undefined || typeof schema["additionalProperties"] === "object") {
    collectDefinition(raw, hint, schema);
    return hint;
  }
  return undefined;
}

function describeList(raw: Map<string, Map<string, FieldJson>>, hint: string, schema: Json): ListFieldJson {
  const itemSchema = asRecord(schema["items"]);
  const items = describe(raw, `${hint}[]`, itemSchema);
  const list: { -readonly [K in keyof ListFieldJson]: ListFieldJson[K] } = {};
  if (typeof items === "string") list.items = items;
  const strategy = schema["x-kubernetes-patch-strategy"];
  if (typeof strategy === "string") list.strategy = strategy;
  const mergeKey = schema["x-kubernetes-patch-merge-key"];
  if (typeof mergeKey === "string") list.mergeKey = mergeKey;
  const listType = schema["x-kubernetes-list-type"];
  if (typeof listType === "string") list.listType = listType;
  const mapKeys = schema["x-kubernetes-list-map-keys"];
  if (Array.isArray(mapKeys)) list.mapKeys = mapKeys.filter((k): k is string => typeof k === "string");
  return list;
}

/** Fixed point: a definition matters when one of its fields is a merge list or leads to one. */
function interestingDefinitions(raw: Map<string, Map<string, FieldJson>>): Set<string> {
  const keep = new Set<string>();
  let changed = true;
  while (changed) {
    changed = false;
    for (const [name, fields] of raw) {
      if (keep.has(name) || ![...fields.values()].some((v) => fieldIsInteresting(v, keep))) continue;
      keep.add(name);
      changed = true;
    }
  }
  return keep;
}

function fieldIsInteresting(value: FieldJson, keep: Set<string>): boolean {
  if (typeof value === "string") return keep.has(value);
  if (value.strategy !== undefined || value.listType === "map" || value.listType === "set") return true;
  return value.items !== undefined && keep.has(value.items);
}

function pruneField(value: FieldJson, keep: Set<string>): FieldJson {
  if (typeof value === "string" || value.items === undefined || keep.has(value.items)) return value;
  const { items: _items, ...rest } = value;
  return rest;
}

function collectGvks(definitions: Json, keep: Set<string>): Record<string, string> {
  const gvks: Record<string, string> = {};
  for (const [name, schema] of Object.entries(definitions)) {
    if (!keep.has(name)) continue;
    const list = asRecord(schema)["x-kubernetes-group-version-kind"];
    if (!Array.isArray(list)) continue;
    for (const entry of list) {
      const gvk = asRecord(entry);
      const group = typeof gvk["group"] === "string" ? gvk["group"] : "";
      const apiVersion = group === "" ? String(gvk["version"]) : `${group}/${String(gvk["version"])}`;
      gvks[`${apiVersion} ${String(gvk["kind"])}`] = name;
    }
  }
  return Object.fromEntries(Object.entries(gvks).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * Kinds that the API serves only outside namespaces: a kind is namespaced when some path with a
 * `{namespace}` segment carries its group/version/kind, the way kyaml precomputes scope.
 */
function clusterScopedKinds(doc: Json): string[] {
  const namespaced = new Set<string>();
  const all = new Set<string>();
  for (const [path, item] of Object.entries(asRecord(doc["paths"]))) {
    for (const operation of Object.values(asRecord(item))) {
      const gvk = asRecord(asRecord(operation)["x-kubernetes-group-version-kind"]);
      if (typeof gvk["kind"] !== "string" || typeof gvk["version"] !== "string") continue;
      const group = typeof gvk["group"] === "string" ? gvk["group"] : "";
      const key = `${group === "" ? gvk["version"] : `${group}/${gvk["version"]}`} ${gvk["kind"]}`;
      all.add(key);
      if (path.includes("/namespaces/{namespace}/")) namespaced.add(key);
    }
  }
  return [...all].filter((k) => !namespaced.has(k)).sort();
}
