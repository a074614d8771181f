import { isMap, isSeq, YAMLMap, YAMLSeq } from "yaml";
import type { Node as YamlNode } from "yaml";
import type { FieldSpec } from "./kustomization.js";
import { isNullScalar } from "./patch/nodes.js";
import { getIn, setIn, type Gvk } from "./resource.js";

/** Whether a field spec's group/version/kind (empty = any) selects `gvk`. */
export function gvkSelected(gvk: Gvk, spec: { group?: string; version?: string; kind?: string }): boolean {
  if (spec.group && spec.group !== gvk.group) return false;
  if (spec.version && spec.version !== gvk.version) return false;
  if (spec.kind && spec.kind !== gvk.kind) return false;
  return true;
}

const splitCache = new Map<string, string[]>();

/** Splits a field-spec path on `/`, keeping `\/` as a literal slash inside a key (memoised). */
export function splitPath(p: string): string[] {
  let out = splitCache.get(p);
  if (!out) {
    out = splitPathUncached(p);
    splitCache.set(p, out);
  }
  return out;
}

function splitPathUncached(p: string): string[] {
  const out: string[] = [];
  let cur = "";
  for (let i = 0; i < p.length; i++) {
    const c = p[i]!;
    if (c === "\\" && p[i + 1] === "/") {
      cur += "/";
      i++;
    } else if (c === "/") {
      out.push(cur);
      cur = "";
    } else cur += c;
  }
  out.push(cur);
  return out.filter((s) => s !== "");
}

/** Called with the map holding the final field and the field's key; the value may be absent. */
export type FieldVisitor = (parent: YAMLMap, key: string, value: YamlNode | undefined) => void;

/**
 * Walks `path` in `node`, descending into every element of sequences met on the way, and calls
 * `visit` for each place the last field is (or, with `create`, may be created). Intermediate maps
 * are created only when `create` is set; sequences are never created.
 */
export function walkPath(node: YAMLMap, segments: readonly string[], create: boolean, visit: FieldVisitor): void {
  const [head, ...rest] = segments;
  if (head === undefined) return;
  const seq = head.endsWith("[]");
  const key = seq ? head.slice(0, -2) : head;
  const value = getIn(node, key);
  // kustomize's fieldspec filter turns a null met where the path says `x[]` into an empty list
  // (`[]` in the output), created or not; nothing is below it.
  if (seq && rest.length > 0 && isNullScalar(value)) {
    setIn(node, key, emptyFlowSeq());
    return;
  }
  if (rest.length === 0) {
    if (value !== undefined || create) visit(node, key, value);
    return;
  }
  if (isSeq(value)) {
    for (const item of value.items) if (isMap(item)) walkPath(item, rest, create, visit);
    return;
  }
  if (isMap(value)) {
    walkPath(value, rest, create, visit);
    return;
  }
  if (!create || seq) return;
  // A null is a missing field to LookupCreate: it becomes the map the path goes through.
  if (value !== undefined && !isNullScalar(value)) return;
  const fresh = new YAMLMap();
  setIn(node, key, fresh);
  walkPath(fresh, rest, create, visit);
}

function emptyFlowSeq(): YAMLSeq {
  const s = new YAMLSeq();
  s.flow = true;
  return s;
}

/** Applies `visit` at a field spec's path when the spec selects the resource's type. */
export function applyFieldSpec(node: YAMLMap, gvk: Gvk, spec: FieldSpec, visit: FieldVisitor): void {
  if (!gvkSelected(gvk, spec)) return;
  walkPath(node, splitPath(spec.path), spec.create === true, visit);
}
