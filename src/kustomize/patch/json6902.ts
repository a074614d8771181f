import type { YAMLMap } from "yaml";
import { toGoValue, type GoMap, type GoValue } from "../output/go-value.js";
import { cloneGoValue, fromGoValue, goValueFromJs, replaceMapContents, yaml11ToGoValue } from "./go-json.js";

/** One RFC 6902 operation, decoded. */
export interface JsonPatchOp {
  readonly op: string;
  readonly path: string;
  readonly from?: string;
  readonly value?: GoValue;
}

/**
 * Decodes a JSON 6902 patch: JSON text when it starts with "[", YAML otherwise (read with YAML 1.1
 * types, as kustomize's YAMLToJSON does). It exists separately from applying so a patch is decoded
 * once and applied to every selected resource. Throws with the patch source named.
 */
export function parseJson6902(text: string, source: string): JsonPatchOp[] {
  let raw: GoValue;
  try {
    raw = text.startsWith("[") ? goValueFromJs(JSON.parse(text) as unknown) : yaml11ToGoValue(text);
  } catch (err) {
    throw new Error(`unable to parse JSON patch ${source}: ${(err as Error).message}`, { cause: err });
  }
  if (!Array.isArray(raw)) throw new Error(`JSON patch ${source} must be a list of operations`);
  return raw.map((entry, i) => decodeOp(entry, i, source));
}

function decodeOp(entry: GoValue, index: number, source: string): JsonPatchOp {
  if (!(entry instanceof Map)) throw new Error(`JSON patch ${source}: operation ${index} is not an object`);
  const op = entry.get("op");
  const path = entry.get("path");
  if (typeof op !== "string") throw new Error(`JSON patch ${source}: operation ${index} has no "op"`);
  const from = entry.get("from");
  const out: { op: string; path: string; from?: string; value?: GoValue } = {
    op,
    path: typeof path === "string" ? path : "",
  };
  if (typeof from === "string") out.from = from;
  if (entry.has("value")) out.value = entry.get("value") ?? null;
  return out;
}

/**
 * Applies decoded JSON 6902 operations to one resource, as kustomize does: the resource goes to
 * its JSON form, the operations run in order (evanphx/json-patch v4 rules: `add` needs the parent,
 * `remove`/`replace` need the target, "-" appends, negative indexes count from the end), and the
 * node is rebuilt from the result. Throws naming the patch source and the missing path.
 */
export function applyJson6902(target: YAMLMap, ops: readonly JsonPatchOp[], source: string): void {
  let doc = toGoValue(target);
  for (const op of ops) {
    try {
      doc = applyOp(doc, op);
    } catch (err) {
      throw new Error(`JSON patch ${source}: ${(err as Error).message}`, { cause: err });
    }
  }
  replaceMapContents(target, fromGoValue(doc));
}

function applyOp(doc: GoValue, op: JsonPatchOp): GoValue {
  switch (op.op) {
    case "add":
      return add(doc, op.path, cloneGoValue(required(op)), "add");
    case "remove":
      remove(doc, op.path, "remove");
      return doc;
    case "replace":
      return replace(doc, op.path, cloneGoValue(required(op)));
    case "move": {
      const value = take(doc, op.from ?? "", "move");
      remove(doc, op.from ?? "", "move");
      return add(doc, op.path, value, "move");
    }
    case "copy":
      return add(doc, op.path, cloneGoValue(takeOrNull(doc, op.from ?? "", "copy")), "copy");
    case "test":
      test(doc, op);
      return doc;
    default:
      throw new Error(`Unexpected kind: ${op.op}`);
  }
}

function required(op: JsonPatchOp): GoValue {
  if (op.value === undefined) throw new Error(`${op.op} operation has no value for path ${op.path}`);
  return op.value;
}

/** Splits a JSON pointer into unescaped tokens. */
function tokens(path: string): string[] {
  if (path === "") return [];
  if (!path.startsWith("/")) throw new Error(`invalid JSON pointer "${path}"`);
  return path
    .slice(1)
    .split("/")
    .map((t) => t.replaceAll("~1", "/").replaceAll("~0", "~"));
}

/** The container holding the last token of a path, and that token. */
function parent(doc: GoValue, path: string, op: string): { container: GoMap | GoValue[]; key: string } {
  const parts = tokens(path);
  const key = parts.pop();
  if (key === undefined) throw new Error(`${op} operation does not apply: doc is missing path: "${path}"`);
  let cur: GoValue = doc;
  for (const part of parts) {
    const next = child(cur, part);
    if (next === undefined) throw new Error(`${op} operation does not apply: doc is missing path: "${path}": missing value`);
    cur = next;
  }
  if (!(cur instanceof Map) && !Array.isArray(cur)) {
    throw new Error(`${op} operation does not apply: doc is missing path: "${path}": missing value`);
  }
  return { container: cur, key };
}

function child(cur: GoValue, part: string): GoValue | undefined {
  if (cur instanceof Map) return cur.get(part);
  if (!Array.isArray(cur)) return undefined;
  const i = arrayIndex(part, cur.length, false);
  return i === undefined ? undefined : cur[i];
}

/**
 * Resolves an array token; negative indexes count from the end (json-patch v4 default), for `add`
 * relative to the grown list, so "-1" appends.
 */
function arrayIndex(token: string, length: number, forAdd: boolean): number | undefined {
  if (token === "-") return forAdd ? length : undefined;
  if (!/^-?[0-9]+$/.test(token)) return undefined;
  const size = forAdd ? length + 1 : length;
  let i = Number(token);
  if (i < 0) i += size;
  return i < 0 || i >= size ? undefined : i;
}

function add(doc: GoValue, path: string, value: GoValue, op: string): GoValue {
  if (path === "") return value;
  const { container, key } = parent(doc, path, op);
  if (container instanceof Map) {
    container.set(key, value);
    return doc;
  }
  const i = arrayIndex(key, container.length, true);
  if (i === undefined) throw new Error(`Unable to access invalid index: ${key}: invalid index`);
  container.splice(i, 0, value);
  return doc;
}

function remove(doc: GoValue, path: string, op: string): void {
  const { container, key } = parent(doc, path, op);
  if (container instanceof Map) {
    if (!container.has(key)) {
      throw new Error(`error in remove for path: '${path}': Unable to remove nonexistent key: ${key}: missing value`);
    }
    container.delete(key);
    return;
  }
  const i = arrayIndex(key, container.length, false);
  if (i === undefined) throw new Error(`Unable to access invalid index: ${key}: invalid index`);
  container.splice(i, 1);
}

function replace(doc: GoValue, path: string, value: GoValue): GoValue {
  if (path === "") return value;
  const { container, key } = parent(doc, path, "replace");
  if (container instanceof Map) {
    // json-patch v4 does not check that the key exists: replace adds it.
    container.set(key, value);
    return doc;
  }
  const i = arrayIndex(key, container.length, false);
  if (i === undefined) throw new Error(`replace operation does not apply: doc is missing key: ${path}: missing value`);
  container[i] = value;
  return doc;
}

function take(doc: GoValue, path: string, op: string): GoValue {
  if (path === "") return doc;
  const { container, key } = parent(doc, path, op);
  const value = container instanceof Map ? container.get(key) : child(container, key);
  if (value === undefined) throw new Error(`${op} operation does not apply: doc is missing from path: ${path}: missing value`);
  return value;
}

/**
 * json-patch v4 reads a missing object key as null (copy inserts null, test compares with null)
 * but needs the parent to exist and list indexes to be valid numbers in range.
 */
function takeOrNull(doc: GoValue, path: string, op: string): GoValue {
  if (path === "") return doc;
  const { container, key } = parent(doc, path, op);
  if (container instanceof Map) return container.get(key) ?? null;
  if (!/^-?[0-9]+$/.test(key)) throw new Error(`error in ${op} for path: '${path}': strconv.Atoi: parsing "${key}": invalid syntax`);
  const i = arrayIndex(key, container.length, false);
  if (i === undefined) throw new Error(`error in ${op} for path: '${path}': Unable to access invalid index: ${key}: invalid index`);
  return container[i]!;
}

function test(doc: GoValue, op: JsonPatchOp): void {
  const actual = takeOrNull(doc, op.path, "test");
  if (!goEqual(actual, op.value ?? null)) throw new Error(`testing value ${op.path} failed: test failed`);
}

function goEqual(a: GoValue, b: GoValue): boolean {
  if (a instanceof Map || b instanceof Map) return a instanceof Map && b instanceof Map && mapsEqual(a, b);
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((v, i) => goEqual(v, b[i]!));
  }
  if (isNumber(a) && isNumber(b)) return Number(a) === Number(b);
  return a === b;
}

function mapsEqual(a: GoMap, b: GoMap): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (!b.has(k) || !goEqual(v, b.get(k)!)) return false;
  return true;
}

function isNumber(v: GoValue): v is number | bigint {
  return typeof v === "number" || typeof v === "bigint";
}
