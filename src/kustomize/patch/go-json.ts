import { isMap, Pair, YAMLMap, YAMLSeq, parseAllDocuments, type Node as YamlNode } from "yaml";
import { normaliseFloat, type GoMap, type GoValue } from "../output/go-value.js";
import { newPlainScalar, newStringScalar } from "../resource.js";
import { GO_YAML_V2 } from "../yaml11.js";

/**
 * Conversions between the JSON data model kustomize round-trips resources through (GoValue) and
 * the renderer's yaml nodes. They exist because JSON 6902 patches (and a few transformers) work on
 * kustomize's JSON form: after such a patch the whole resource is rebuilt from JSON, so styles are
 * gone and values keep only their JSON types, exactly as in kustomize.
 */
export function fromGoValue(value: GoValue): YamlNode {
  if (value instanceof Map) {
    const map = new YAMLMap();
    // Pushing pairs directly: YAMLMap.add checks for duplicate keys, which is quadratic.
    for (const [k, v] of value) map.items.push(new Pair(newStringScalar(k), fromGoValue(v)));
    return map;
  }
  if (Array.isArray(value)) {
    const seq = new YAMLSeq();
    for (const v of value) seq.items.push(fromGoValue(v));
    return seq;
  }
  if (typeof value === "string") return newStringScalar(value);
  if (value === null) return newPlainScalar("null");
  return newPlainScalar(formatNumber(value));
}

function formatNumber(value: bigint | number | boolean): string {
  if (typeof value !== "number") return String(value);
  if (Number.isNaN(value)) return ".nan";
  if (!Number.isFinite(value)) return value > 0 ? ".inf" : "-.inf";
  return String(value);
}

/** Converts plain JS (from JSON.parse or a YAML 1.1 parse) to the JSON data model. */
export function goValueFromJs(value: unknown): GoValue {
  if (value === null || value === undefined) return null;
  if (typeof value === "string" || typeof value === "boolean" || typeof value === "bigint") return value;
  if (typeof value === "number") return normaliseFloat(value);
  if (Array.isArray(value)) return value.map(goValueFromJs);
  if (value instanceof Map) {
    const out: GoMap = new Map();
    for (const [k, v] of value as Map<unknown, unknown>) out.set(stringKey(k), goValueFromJs(v));
    return out;
  }
  if (typeof value === "object") {
    const out: GoMap = new Map();
    for (const [k, v] of Object.entries(value)) out.set(k, goValueFromJs(v));
    return out;
  }
  return null;
}

/**
 * Go's JSON encoding accepts only string keys (sigs.k8s.io/yaml turns numbers into strings, but a
 * YAML 1.1 boolean or null key such as `on:` fails with "unsupported type"), so those fail here too.
 */
function stringKey(k: unknown): string {
  if (typeof k === "string") return k;
  if (typeof k === "number" || typeof k === "bigint") return String(k);
  throw new Error(`json: unsupported type: map key ${String(k)}`);
}

/**
 * Parses YAML as sigs.k8s.io/yaml's YAMLToJSON does (go-yaml v2, YAML 1.1 types: `yes`/`on` are
 * booleans, `0755` is octal), for JSON-patch text written as YAML.
 */
export function yaml11ToGoValue(text: string): GoValue {
  // go-yaml v2 reads only the first document of a stream.
  const doc = parseAllDocuments(text, { ...GO_YAML_V2, intAsBigInt: true })[0];
  if (doc === undefined) return null;
  if ("errors" in doc && doc.errors.length > 0) throw new Error(doc.errors[0]!.message);
  return goValueFromJs(doc.toJS({ mapAsMap: true }) as unknown);
}

/** Deep copy of a JSON value, so one patch value can be inserted into many resources. */
export function cloneGoValue(value: GoValue): GoValue {
  if (value instanceof Map) return new Map([...value].map(([k, v]) => [k, cloneGoValue(v)]));
  if (Array.isArray(value)) return value.map(cloneGoValue);
  return value;
}

/** Replaces the contents of `target` with those of `source` (keeps the node identity). */
export function replaceMapContents(target: YAMLMap, source: YamlNode): void {
  if (!isMap(source)) throw new Error("a resource must remain a YAML mapping");
  target.items = source.items;
}

