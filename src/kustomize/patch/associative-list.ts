import { isMap, isSeq, Scalar, type Node as YamlNode, type YAMLSeq } from "yaml";
import { fieldOf, isEmptyMap, isMissingOrNull, putField, textOf } from "./nodes.js";

/** Merges one element of each source (dest, patch) and returns the merged element or undefined. */
export type ElementWalker = (dest: YamlNode | undefined, origin: YamlNode | undefined) => YamlNode | undefined;

/**
 * Merges an associative list (one whose schema says patch strategy "merge") the way kyaml's walker
 * does with kustomize's "prepend" option: elements named by the patch come first, in patch order,
 * followed by the target's other elements in their order; elements are matched by their merge-key
 * values (several keys, as for container ports, match when they agree wherever both are set); an
 * element that merges to nothing (`$patch: delete`) is dropped. Lists without keys merge scalars by
 * value (finalizers). It exists as the one place that decides list order, which the output shows.
 */
export function mergeAssociativeList(
  dest: YAMLSeq,
  origin: YamlNode | undefined,
  keys: readonly string[],
  walkElement: ElementWalker,
): YAMLSeq {
  const originSeq = isSeq(origin) ? origin : undefined;
  let effectiveKeys = keys;
  let valuesList = elementValues([originSeq, dest], keys);
  if (valuesList.length === 0 && keys.length === 0) {
    effectiveKeys = [""];
    valuesList = primitiveValues([originSeq, dest]);
  }
  if (effectiveKeys.length > 1) mergeValues(valuesList);
  const added: YamlNode[] = [];
  let lastKeys: readonly string[] = effectiveKeys;
  for (const values of valuesList) {
    const [vk, vv] = validateKeys(valuesList, values, effectiveKeys);
    lastKeys = vk;
    const [ek, ev] = validateKeys([vv], vv, vk);
    const val = walkElement(findElement(dest, ek, ev), originSeq && findElement(originSeq, ek, ev));
    if (isMissingOrNull(val) || isEmptyMap(val)) {
      dest.items = setElement(dest.items as YamlNode[], undefined, vk, vv);
      continue;
    }
    if (isMap(val)) restoreKeys(val, vk, vv);
    setElementInPlace(added, val as YamlNode, vk, vv);
  }
  if (valuesList.length > 0) dest.items = appendList(added, dest.items as YamlNode[], lastKeys);
  return dest;
}

function restoreKeys(val: YamlNode, keys: readonly string[], values: readonly string[]): void {
  if (!isMap(val)) return;
  keys.forEach((key, i) => {
    const v = values[i] ?? "";
    if (key !== "" && v !== "" && fieldOf(val, key) === undefined) putField(val, key, new Scalar(v));
  });
}

/** Values of the keys for every element of every source, deduplicated, patch source first. */
function elementValues(sources: (YAMLSeq | undefined)[], keys: readonly string[]): string[][] {
  const out: string[][] = [];
  const seen = new Set<string>();
  if (keys.length === 0) return out;
  for (const src of sources) {
    for (const elem of src?.items ?? []) {
      const values = keys.map((k) => (isMap(elem) ? valueText(fieldOf(elem, k)) : ""));
      const id = JSON.stringify(values);
      if (seen.has(id)) continue;
      seen.add(id);
      out.push(values);
    }
  }
  return out;
}

function valueText(node: YamlNode | undefined): string {
  if (node === undefined || isMissingOrNull(node)) return "";
  return textOf(node) ?? "";
}

function primitiveValues(sources: (YAMLSeq | undefined)[]): string[][] {
  const out: string[][] = [];
  const seen = new Set<string>();
  for (const src of sources) {
    for (const item of src?.items ?? []) {
      const text = textOf(item) ?? "";
      if (seen.has(text)) continue;
      seen.add(text);
      out.push([text]);
    }
  }
  return out;
}

/** Treats value tuples as equal when they share a value and differ only where one side is unset. */
function mergeValues(valuesList: string[][]): void {
  for (let i = 0; i < valuesList.length; i++) {
    for (let j = 0; j < valuesList.length; j++) {
      const merged = matchValues(valuesList[i]!, valuesList[j]!);
      if (merged === undefined) continue;
      valuesList[i] = merged;
      valuesList[j] = merged;
    }
  }
}

function matchValues(a: string[], b: string[]): string[] | undefined {
  if (a.length !== b.length) return undefined;
  let common = false;
  const res: string[] = [];
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x === y) common = true;
    else if (x !== "" && y !== "") return undefined;
    res.push(x !== "" ? x : y);
  }
  return common ? res : undefined;
}

/** Keeps the keys that some element sets (all keys when none does), with their values. */
function validateKeys(
  valuesList: readonly string[][],
  values: readonly string[],
  keys: readonly string[],
): [string[], string[]] {
  const set = new Set<string>();
  for (const vs of valuesList) vs.forEach((v, i) => v !== "" && set.add(keys[i] ?? ""));
  if (set.size === 0) return [[...keys], [...values]];
  const vk = keys.filter((k) => set.has(k));
  const vv = values.filter((v, i) => v !== "" || set.has(keys[i] ?? ""));
  return [vk, vv];
}

/** kyaml's FieldMatcher as ElementSetter uses it: an empty value matches any present field. */
function fieldMatches(elem: YamlNode, key: string, value: string): boolean {
  if (isMissingOrNull(elem)) return false;
  if (key === "") return !isMap(elem) && !isSeq(elem) && textOf(elem) === value;
  if (!isMap(elem)) return false;
  const field = fieldOf(elem, key);
  return field !== undefined && (value === "" || textOf(field) === value);
}

/** kyaml's ElementMatcher (MatchElementList): every key's field text equals its value exactly. */
function findElement(list: YAMLSeq, keys: readonly string[], values: readonly string[]): YamlNode | undefined {
  const items = list.items as YamlNode[];
  if (keys.length === 0 || keys[0] === "") return items.find((e) => textOf(e) === (values[0] ?? ""));
  return items.find((e) => {
    if (!isMap(e)) return false;
    return keys.every((k, i) => {
      const field = fieldOf(e, k);
      return field !== undefined && textOf(field) === (values[i] ?? "");
    });
  });
}

/** Whether ElementSetter treats `e` as the element named by the first `values.length` keys. */
function setterMatches(e: YamlNode, keys: readonly string[], values: readonly string[]): boolean {
  return values.length > 0 && keys.slice(0, values.length).every((k, j) => fieldMatches(e, k, values[j]!));
}

/**
 * kyaml's ElementSetter: replaces (or deletes, when `elem` is undefined) the elements matching the
 * keys, else appends. Quirks kept on purpose: empty elements are dropped; only the first
 * `values.length` keys are compared; with no values at all nothing matches and nothing is kept.
 */
function setElement(
  list: YamlNode[],
  elem: YamlNode | undefined,
  keys: readonly string[],
  values: readonly string[],
): YamlNode[] {
  const out: YamlNode[] = [];
  let found = false;
  const mappingSetter = (keys[0] ?? "") !== "" && (values[0] ?? "") !== "";
  for (const e of list) {
    if (isMissingOrNull(e) || isEmptyMap(e)) continue;
    if (!isMap(e) && mappingSetter) {
      out.push(e);
      continue;
    }
    if (!setterMatches(e, keys, values)) {
      if (values.length > 0) out.push(e);
      continue;
    }
    found = true;
    if (elem !== undefined) out.push(elem);
  }
  if (elem !== undefined && !isMissingOrNull(elem) && !found) out.push(elem);
  return out;
}

function setElementInPlace(list: YamlNode[], elem: YamlNode, keys: readonly string[], values: readonly string[]): void {
  const next = setElement(list, elem, keys, values);
  list.length = 0;
  list.push(...next);
}

/**
 * Adds the target's elements after the patch's (kyaml's appendListNode). With several keys each
 * element is first removed and then appended, so target elements end up in target order; an
 * element lacking a key is appended as is and then matched on the keys it has.
 */
function appendList(dst: YamlNode[], src: YamlNode[], keys: readonly string[]): YamlNode[] {
  let out = dst;
  for (const elem of src) {
    if (keys[0] === "") {
      out = setElement(out, elem, [""], [textOf(elem) ?? ""]);
      continue;
    }
    const values: string[] = [];
    for (const key of keys) {
      const v = isMap(elem) ? fieldOf(elem, key) : undefined;
      if (v === undefined) out.push(elem);
      else values.push(textOf(v) ?? "");
    }
    if (keys.length > 1) out = setElement(out, undefined, keys, values);
    out = setElement(out, elem, keys, values);
  }
  return out;
}
