import { isMap, isScalar, isSeq, type Node as YamlNode, type Scalar } from "yaml";
import { applyFieldSpec } from "../fieldspec.js";
import type { FieldSpec } from "../kustomization.js";
import { effectiveNamespace, type ClusterScopeTest } from "../patch/select.js";
import { newPlainScalar, newStringScalar, parseApiVersion, type Gvk, type ResId, type Resource } from "../resource.js";
import { splitFieldPath } from "./field-path.js";
import { lookupPath } from "./path-match.js";
import { scalarTag } from "./scalar-tag.js";

/** One `vars:` entry of a kustomization (deprecated in kustomize, still supported). */
export interface Var {
  readonly name: string;
  readonly objref: {
    readonly apiVersion?: string;
    readonly group?: string;
    readonly version?: string;
    readonly kind?: string;
    readonly name: string;
    readonly namespace?: string;
  };
  readonly fieldref?: { readonly fieldPath?: string };
}

/**
 * Reads a `vars:` entry as Go's JSON decoding does: field names match case-insensitively
 * (`fieldpath`, `objRef` and `apiversion` are common in the wild). Throws on a missing name.
 */
export function parseVar(raw: unknown): Var {
  const v = record(raw);
  const name = text(pick(v, "name"));
  if (name === "") throw new Error(`var without a name: ${JSON.stringify(raw)}`);
  const ref = record(pick(v, "objref"));
  const fieldref = record(pick(v, "fieldref"));
  return {
    name,
    objref: {
      apiVersion: text(pick(ref, "apiVersion")),
      group: text(pick(ref, "group")),
      version: text(pick(ref, "version")),
      kind: text(pick(ref, "kind")),
      name: text(pick(ref, "name")),
      namespace: text(pick(ref, "namespace")),
    },
    fieldref: { fieldPath: text(pick(fieldref, "fieldPath")) },
  };
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function pick(obj: Record<string, unknown>, field: string): unknown {
  if (Object.hasOwn(obj, field)) return obj[field];
  const lower = field.toLowerCase();
  const key = Object.keys(obj).find((k) => k.toLowerCase() === lower);
  return key === undefined ? undefined : obj[key];
}

function text(value: unknown): string {
  if (typeof value === "string") return value;
  return typeof value === "number" || typeof value === "boolean" ? String(value) : "";
}

/** Names of the vars that point at each resource (kustomize keeps them on the Resource). */
const refVarNames = new WeakMap<Resource, string[]>();

function objrefGvk(v: Var): Gvk {
  const ref = v.objref;
  if (ref.apiVersion) return { ...parseApiVersion(ref.apiVersion), kind: ref.kind ?? "" };
  return { group: ref.group ?? "", version: ref.version ?? "", kind: ref.kind ?? "" };
}

function gvknEquals(a: ResId, b: ResId): boolean {
  return a.name === b.name && a.gvk.group === b.gvk.group && a.gvk.version === b.gvk.version && a.gvk.kind === b.gvk.kind;
}

/**
 * Records which resource each of a kustomization's `vars` points at (kustomize's MergeVars, run
 * when a kustomization's own transformers are done). The objref matches a resource's current or
 * earlier id: group, version, kind and name exactly, plus the namespace when the objref gives one
 * (or the kind is cluster-scoped). More than one match is an error. Declaring the var set itself
 * (and refusing duplicate names) stays with the accumulator.
 */
export function markVarTargets(resources: readonly Resource[], vars: readonly Var[], isClusterScoped: ClusterScopeTest): void {
  for (const v of vars) {
    const gvk = objrefGvk(v);
    const target: ResId = { gvk, name: v.objref.name, namespace: v.objref.namespace ?? "" };
    const strict = target.namespace !== "" || isClusterScoped(apiVersionText(gvk), gvk.kind);
    const matches = resources.filter((r) =>
      [...r.previousIds, r.id()].some(
        (id) => gvknEquals(id, target) && (!strict || effectiveNamespace(id, isClusterScoped) === effectiveNamespace(target, isClusterScoped)),
      ),
    );
    if (matches.length > 1) throw new Error(`found ${matches.length} resId matches for var ${varText(v)} (unable to disambiguate)`);
    const res = matches[0];
    if (res === undefined) continue;
    refVarNames.set(res, [...(refVarNames.get(res) ?? []), v.name]);
  }
}

function apiVersionText(gvk: Gvk): string {
  return gvk.group === "" ? gvk.version : `${gvk.group}/${gvk.version}`;
}

function varText(v: Var): string {
  const g = objrefGvk(v);
  return `${v.name} (${g.kind}.${g.version}.${g.group}/${v.objref.name}, fieldPath ${v.fieldref?.fieldPath || "metadata.name"})`;
}

/** A var's value with the YAML type of the field it came from (exported for expandText callers). */
export type VarValue =
  | { readonly type: "str"; readonly value: string }
  | { readonly type: "int" | "float"; readonly value: number; readonly text: string }
  | { readonly type: "bool"; readonly value: boolean }
  | { readonly type: "other" };

/**
 * Replaces `$(NAME)` in the fields the `varReference` field specs name, with the values of the
 * build's vars (kustomize's ResolveVars, run once at the root after name references are fixed).
 * A field that is exactly `$(NAME)` takes the var's type (an int stays an int); elsewhere the
 * value is spliced into the text; `$$` escapes a dollar; unknown names are left as they are.
 * Errors when a var points at no resource or its field is missing.
 */
export function resolveVars(resources: readonly Resource[], vars: readonly Var[], varReference: readonly FieldSpec[]): void {
  if (vars.length === 0) return;
  const values = new Map<string, VarValue>();
  for (const v of [...vars].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    values.set(v.name, varValue(resources, v));
  }
  for (const res of resources) {
    const gvk = res.gvk();
    for (const spec of varReference) {
      applyFieldSpec(res.node, gvk, spec, (parent, key, value) => {
        if (value === undefined) return;
        const next = expandNode(value, values);
        if (next !== value) parent.items.find((p) => isScalar(p.key) && p.key.value === key)!.value = next;
      });
    }
  }
}

function varValue(resources: readonly Resource[], v: Var): VarValue {
  const res = resources.find((r) => refVarNames.get(r)?.includes(v.name));
  if (res === undefined) throw new Error(`var ${varText(v)} cannot be mapped to a field in the set of known resources`);
  const path = splitFieldPath(v.fieldref?.fieldPath || "metadata.name").flatMap(convertSliceIndex);
  let node: YamlNode | undefined;
  try {
    node = lookupPath(res.node, path);
  } catch {
    node = undefined;
  }
  if (node === undefined) throw new Error(`field specified in var ${varText(v)} not found in corresponding resource`);
  if (!isScalar(node)) return { type: "other" };
  const text = typeof node.value === "string" ? node.value : String(node.value);
  switch (scalarTag(node)) {
    case "str":
      return { type: "str", value: text };
    case "int":
      return { type: "int", value: Number.parseInt(text, 10), text: String(Number.parseInt(text, 10)) };
    case "float":
      return { type: "float", value: Number(text), text: formatFloat(Number(text)) };
    case "bool":
      return { type: "bool", value: /^(true|True|TRUE)$/.test(text) };
    default:
      return { type: "str", value: text };
  }
}

/** `ports[0]` in a var's fieldPath means `ports.0`. */
function convertSliceIndex(part: string): string[] {
  const m = /^(.*)\[(\d+)\]$/.exec(part);
  if (!m) return [part];
  return m[1] === "" ? [m[2]!] : [m[1]!, m[2]!];
}

function formatFloat(f: number): string {
  return Number.isInteger(f) && Math.abs(f) < 1e21 ? BigInt(f).toString() : String(f);
}

function expandNode(node: YamlNode, values: ReadonlyMap<string, VarValue>): YamlNode {
  if (isScalar(node)) return scalarTag(node) === "str" ? expandScalar(node, values) : node;
  if (isMap(node)) {
    for (const pair of node.items) {
      if (!isScalar(pair.key) || scalarTag(pair.key) !== "str") throw new Error(`invalid map key: value='${String(pair.key)}'`);
      if (isScalar(pair.value) && scalarTag(pair.value) === "str") pair.value = expandScalar(pair.value, values);
    }
    return node;
  }
  if (isSeq(node)) {
    node.items = node.items.map((item) => {
      if (!isScalar(item) || scalarTag(item) !== "str") throw new Error("invalid value type expect a string");
      return expandScalar(item, values);
    });
  }
  return node;
}

function expandScalar(node: Scalar, values: ReadonlyMap<string, VarValue>): YamlNode {
  const input = String(node.value);
  if (!input.includes("$")) return node;
  const whole = /^\$\(([^)]*)\)$/.exec(input);
  if (whole) {
    const v = values.get(whole[1]!);
    if (v !== undefined && v.type !== "other") return typedScalar(v);
  }
  return newStringScalar(expandText(input, values));
}

function typedScalar(v: Exclude<VarValue, { type: "other" }>): YamlNode {
  if (v.type === "str") return newStringScalar(v.value);
  if (v.type === "bool") return newPlainScalar(String(v.value));
  return newPlainScalar(v.text);
}

/** kustomize's DoReplacements over text: `$(NAME)` from the map, `$$` to `$`, anything else kept. */
export function expandText(input: string, values: ReadonlyMap<string, VarValue>): string {
  let out = "";
  let i = 0;
  while (i < input.length) {
    const c = input[i]!;
    if (c !== "$" || i + 1 >= input.length) {
      out += c;
      i++;
      continue;
    }
    const next = input[i + 1]!;
    if (next === "$") {
      out += "$";
      i += 2;
      continue;
    }
    const close = next === "(" ? input.indexOf(")", i + 2) : -1;
    if (close < 0) {
      out += `$${next}`;
      i += 2;
      continue;
    }
    const name = input.slice(i + 2, close);
    const v = values.get(name);
    out += v === undefined || v.type === "other" ? `$(${name})` : v.type === "int" || v.type === "float" ? v.text : String(v.value);
    i = close + 1;
  }
  return out;
}
