import { isMap, isScalar, Pair, Scalar, YAMLMap } from "yaml";
import type { Node as YamlNode } from "yaml";
import type { Origin } from "./origin.js";

/**
 * The resource model shared by every stage of the renderer.
 *
 * A resource is the root `YAMLMap` of a document parsed from its source file with the yaml
 * package's *failsafe* schema: every scalar is a `Scalar<string>` whose `value` is the text as
 * written (plain) or decoded (quoted, block) and whose `type` keeps the source style. That mirrors
 * kyaml's yaml.v3 nodes, so key order and scalar styles survive to the output like in kustomize.
 *
 * Conventions for code that creates nodes (see also `newStringScalar`, `newPlainScalar`):
 * - a `Scalar` whose `type` is undefined is printed as go-yaml prints a new `!!str` node: plain when
 *   that reads back as a string, double-quoted otherwise (`"true"`, `"1"`), literal block when
 *   multi-line;
 * - a `Scalar` with `type: "PLAIN"` is printed as written (numbers, booleans, null, source text);
 * - a `Scalar` whose value is a JS number or boolean is printed plain.
 */

/** Group, version and kind: the type half of a resource id. `group` is "" for the core group. */
export interface Gvk {
  group: string;
  version: string;
  kind: string;
}

/** Identity of a resource in a build: its type, name and namespace ("" when unset). */
export interface ResId {
  gvk: Gvk;
  name: string;
  namespace: string;
}

/** Splits an `apiVersion` into group and version the way Kubernetes does (`v1` is the core group). */
export function parseApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf("/");
  if (slash < 0) return { group: "", version: apiVersion };
  return { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

/** `group/version` or `version` for the core group: how kustomize spells an apiVersion. */
export function apiVersionOf(gvk: Gvk): string {
  return gvk.group === "" ? gvk.version : `${gvk.group}/${gvk.version}`;
}

/** Stable text key of a GVK, used in maps and in error messages (kustomize's `Group_Version_Kind`). */
export function gvkString(gvk: Gvk): string {
  return `${gvk.group || "~G"}_${gvk.version || "~V"}_${gvk.kind || "~K"}`;
}

/** Text key of a resource id (kustomize spells it `G_V_K|namespace|name`). */
export function resIdString(id: ResId): string {
  return `${gvkString(id.gvk)}|${id.namespace || "~X"}|${id.name || "~N"}`;
}

/** A scalar printed the way go-yaml prints a new string node (quoted only when needed). */
export function newStringScalar(value: string): Scalar<string> {
  return new Scalar(value);
}

/** A scalar printed exactly as written, plain: numbers, booleans, null. */
export function newPlainScalar(text: string): Scalar<string> {
  const s = new Scalar(text);
  s.type = "PLAIN";
  return s;
}

/** The string value of a scalar node, or undefined for anything else (maps, sequences, absent). */
export function scalarText(node: unknown): string | undefined {
  if (!isScalar(node)) return undefined;
  const v = node.value;
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return v === null ? "" : undefined;
}

/** Looks up `key` in a map node and returns the value node (undefined when missing). */
export function getIn(map: YAMLMap, key: string): YamlNode | undefined {
  for (const pair of map.items) {
    if (scalarText(pair.key) === key) return (pair.value ?? undefined) as YamlNode | undefined;
  }
  return undefined;
}

/** Looks up a map by path, optionally creating missing maps at the end of their parent. */
export function getMapPath(map: YAMLMap, path: readonly string[], create: boolean): YAMLMap | undefined {
  let cur: YAMLMap = map;
  for (const key of path) {
    const next = getIn(cur, key);
    if (isMap(next)) {
      cur = next;
      continue;
    }
    if (!create) return undefined;
    const fresh = new YAMLMap();
    setIn(cur, key, fresh);
    cur = fresh;
  }
  return cur;
}

/** Sets `key` to `value` in a map, in place when present, appended at the end otherwise (as kyaml). */
export function setIn(map: YAMLMap, key: string, value: YamlNode): void {
  for (const pair of map.items) {
    if (scalarText(pair.key) === key) {
      pair.value = value;
      return;
    }
  }
  map.items.push(new Pair(newStringScalar(key), value));
}

/** Removes `key` from a map; returns whether it was there. */
export function deleteIn(map: YAMLMap, key: string): boolean {
  const i = map.items.findIndex((p) => scalarText(p.key) === key);
  if (i < 0) return false;
  map.items.splice(i, 1);
  return true;
}

/** Reads a string-to-string map such as labels or annotations (non-scalar values are skipped). */
export function stringMap(node: YamlNode | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!isMap(node)) return out;
  for (const pair of node.items) {
    const k = scalarText(pair.key);
    const v = scalarText(pair.value);
    if (k !== undefined && v !== undefined) out.set(k, v);
  }
  return out;
}

/**
 * One resource of a build: the YAML node plus the bookkeeping kustomize keeps beside it
 * (original identity for name-reference fix-ups, generator options, whether a hash suffix is due).
 */
export class Resource {
  /** The document root; transformers and patches mutate it in place. */
  node: YAMLMap;
  /** Ids this resource had before prefix/suffix/namespace/hash changes, oldest first. */
  readonly previousIds: ResId[] = [];
  /** The file the resource came from (for error messages); "" for generated resources. */
  readonly origin: string;
  /** Generator behaviour ("create", "merge", "replace") for generated ConfigMaps/Secrets. */
  behavior: string | undefined;
  /** Whether the name gets kustomize's content-hash suffix at the end of the build. */
  needsHash = false;
  /** Where the resource came from (only tracked when buildMetadata asks for it). */
  originInfo: Origin | undefined;
  /** Transformers that ran over the resource (only tracked when buildMetadata asks for it). */
  readonly transformations: Origin[] = [];
  /** Name prefixes added so far, outermost last (used to pick among reference candidates). */
  readonly prefixes: string[] = [];
  /** Name suffixes added so far, outermost last. */
  readonly suffixes: string[] = [];

  constructor(node: YAMLMap, origin = "") {
    this.node = node;
    this.origin = origin;
  }

  /** `apiVersion` as written, "" when missing. */
  apiVersion(): string {
    return scalarText(getIn(this.node, "apiVersion")) ?? "";
  }

  /** `kind` as written, "" when missing. */
  kind(): string {
    return scalarText(getIn(this.node, "kind")) ?? "";
  }

  /** Group/version/kind of the resource. */
  gvk(): Gvk {
    return { ...parseApiVersion(this.apiVersion()), kind: this.kind() };
  }

  /** `metadata` map, created when `create` is set. */
  metadata(create = false): YAMLMap | undefined {
    return getMapPath(this.node, ["metadata"], create);
  }

  /** `metadata.name`, "" when missing. */
  name(): string {
    const md = this.metadata();
    return md ? (scalarText(getIn(md, "name")) ?? "") : "";
  }

  /** `metadata.namespace`, "" when missing. */
  namespace(): string {
    const md = this.metadata();
    return md ? (scalarText(getIn(md, "namespace")) ?? "") : "";
  }

  /** Sets `metadata.name` (kept in place if present). */
  setName(name: string): void {
    setIn(this.metadata(true)!, "name", newStringScalar(name));
  }

  /** Sets `metadata.namespace` (appended after the other metadata fields if absent). */
  setNamespace(ns: string): void {
    setIn(this.metadata(true)!, "namespace", newStringScalar(ns));
  }

  /** Current id. */
  id(): ResId {
    return { gvk: this.gvk(), name: this.name(), namespace: this.namespace() };
  }

  /** The id the resource had when it entered the build (before any renaming). */
  origId(): ResId {
    return this.previousIds[0] ?? this.id();
  }

  /** Records the current id before a transformer changes name or namespace. */
  rememberId(): void {
    this.previousIds.push(this.id());
  }

  /** `metadata.labels` as a plain map. */
  labels(): Map<string, string> {
    const md = this.metadata();
    return md ? stringMap(getIn(md, "labels")) : new Map<string, string>();
  }

  /** `metadata.annotations` as a plain map. */
  annotations(): Map<string, string> {
    const md = this.metadata();
    return md ? stringMap(getIn(md, "annotations")) : new Map<string, string>();
  }
}
