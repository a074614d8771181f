import { isMap, isScalar, isSeq, Pair, Scalar, type Node as YamlNode, type YAMLMap } from "yaml";

/**
 * Small node predicates and accessors the patch code shares. They exist to give kyaml's notions
 * ("missing or null", "tagged null", a scalar's text) one definition over the yaml package's
 * failsafe-schema nodes, where every scalar is a string and styles tell plain from quoted.
 */

const NULL_WORDS = new Set(["", "~", "null", "Null", "NULL"]);

/** Whether a scalar is YAML null as yaml.v3 resolves it: plain and untagged null spelling, or "!!null". */
export function isNullScalar(node: unknown): node is Scalar {
  if (!isScalar(node)) return false;
  if (node.value === null || node.value === undefined) return true;
  const tag = node.tag;
  if (tag === "tag:yaml.org,2002:null" || tag === "!!null") return true;
  if (tag !== undefined) return false;
  return node.type === "PLAIN" && typeof node.value === "string" && NULL_WORDS.has(node.value);
}

/** kyaml's IsMissingOrNull: absent, or a null scalar. */
export function isMissingOrNull(node: unknown): boolean {
  return node === undefined || node === null || isNullScalar(node);
}

/** The raw text of a scalar as kyaml's `Node.Value` holds it; undefined for collections. */
export function textOf(node: unknown): string | undefined {
  if (!isScalar(node)) return undefined;
  const v = node.value;
  if (v === null || v === undefined) return "";
  if (typeof v === "string") return v;
  return typeof v === "number" || typeof v === "boolean" || typeof v === "bigint" ? String(v) : "";
}

/** The pair holding `key` in a map, undefined when absent. */
export function pairOf(map: YAMLMap, key: string): Pair | undefined {
  for (const pair of map.items) {
    if (textOf(pair.key) === key) return pair;
  }
  return undefined;
}

/** The value node of `key` in a map, undefined when absent. */
export function fieldOf(map: YAMLMap, key: string): YamlNode | undefined {
  const pair = pairOf(map, key);
  return pair === undefined ? undefined : ((pair.value ?? undefined) as YamlNode | undefined);
}

/** The keys of a map, as text, in document order. */
export function keysOf(map: YAMLMap): string[] {
  const keys: string[] = [];
  for (const pair of map.items) {
    const k = textOf(pair.key);
    if (k !== undefined) keys.push(k);
  }
  return keys;
}

/** Whether a node is a map with no entries (kyaml's IsEmptyMap). */
export function isEmptyMap(node: unknown): boolean {
  return isMap(node) && node.items.length === 0;
}

/** A one-word name of a node's kind for error messages, matching kyaml's wording. */
export function kindName(node: unknown): string {
  if (isMap(node)) return "MappingNode";
  if (isSeq(node)) return "SequenceNode";
  if (isScalar(node)) return "ScalarNode";
  return "missing";
}

/** Sets or replaces `key` in a map (appended when new, as kyaml's FieldSetter does). */
export function putField(map: YAMLMap, key: string, value: YamlNode): void {
  const pair = pairOf(map, key);
  if (pair !== undefined) pair.value = value;
  else map.items.push(new Pair(new Scalar(key), value));
}

/** Removes `key` from a map. */
export function removeField(map: YAMLMap, key: string): void {
  const i = map.items.findIndex((p) => textOf(p.key) === key);
  if (i >= 0) map.items.splice(i, 1);
}
