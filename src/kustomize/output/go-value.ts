import { isAlias, isMap, isScalar, isSeq } from "yaml";
import { refoldFolded } from "./folded.js";

/**
 * The data model kustomize prints from. `kubectl kustomize` turns each resource into JSON and
 * the JSON into YAML (go-yaml v2), so only the JSON types survive: styles, key order and number
 * spelling of the source are lost. Integers are `bigint`, floats are `number`.
 */
export type GoValue = string | bigint | number | boolean | null | GoValue[] | GoMap;

/** A JSON object; keys are re-sorted when printed, so insertion order does not matter. */
export type GoMap = Map<string, GoValue>;

const FLOAT_RE = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const INT64_MIN = -(2n ** 63n);
const UINT64_MAX = 2n ** 64n - 1n;

/** Go's `strconv.ParseInt(s, 0, 64)`/`ParseUint` accepted forms, as a bigint, or undefined. */
export function goParseInt(text: string): bigint | undefined {
  const m = /^([-+]?)(0[xX][0-9a-fA-F]+|0[bB][01]+|0[oO][0-7]+|0[0-7]*|[1-9][0-9]*)$/.exec(text);
  if (!m) return undefined;
  const body = m[2]!;
  let v: bigint;
  if (/^0[oO]/.test(body)) v = BigInt("0o" + body.slice(2));
  else if (/^0[0-7]+$/.test(body)) v = BigInt("0o" + body.slice(1));
  else v = BigInt(body);
  if (m[1] === "-") v = -v;
  if (v < INT64_MIN || v > UINT64_MAX) return undefined;
  if (m[1] === "-" && v > 0n) return undefined;
  return v;
}

// go-yaml's timestamp layouts: date only; date "T"/"t" time with a zone; date " " time, no zone.
const TS_RE =
  /^(\d{4})-(\d{1,2})-(\d{1,2})(?:(?:[Tt](\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.(\d+))?(Z|[-+]\d{2}:\d{2}))|(?: (\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.(\d+))?))?$/;

function validDate(y: number, mo: number, d: number): boolean {
  if (mo < 1 || mo > 12 || d < 1) return false;
  return d <= new Date(Date.UTC(y, mo, 0)).getUTCDate();
}

/** yaml.v3's plain timestamp, re-spelled as Go's JSON encoding of time.Time (RFC 3339). */
export function goTimestamp(text: string): string | undefined {
  const raw = TS_RE.exec(text);
  if (!raw) return undefined;
  // Fold the two time layouts into one set of groups: [.., y, mo, d, h, mi, s, frac, zone].
  const m = raw[9] === undefined ? raw : [...raw.slice(0, 4), ...raw.slice(9, 13), undefined];
  if (!validDate(Number(m[1]), Number(m[2]), Number(m[3]))) return undefined;
  if (m[4] !== undefined && (Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6]) > 59)) return undefined;
  const pad = (s: string | undefined, n = 2): string => (s ?? "0").padStart(n, "0");
  const date = `${m[1]}-${pad(m[2])}-${pad(m[3])}`;
  if (m[4] === undefined) return `${date}T00:00:00Z`;
  const frac = (m[7] ?? "").slice(0, 9).replace(/0+$/, "");
  let zone = m[8] ?? "Z";
  if (zone !== "Z") {
    const z = /^([-+])(\d{1,2}):?(\d{2})?$/.exec(zone)!;
    zone = z[2] === "00" && (z[3] ?? "00") === "00" ? "Z" : `${z[1]}${pad(z[2])}:${z[3] ?? "00"}`;
  }
  return `${date}T${pad(m[4])}:${pad(m[5])}:${pad(m[6])}${frac ? "." + frac : ""}${zone}`;
}

/** Types a plain scalar the way yaml.v3 does when kustomize decodes a resource. */
export function resolvePlain(text: string): GoValue {
  switch (text) {
    case "":
    case "~":
    case "null":
    case "Null":
    case "NULL":
      return null;
    case "true":
    case "True":
    case "TRUE":
      return true;
    case "false":
    case "False":
    case "FALSE":
      return false;
  }
  const c = text.charCodeAt(0);
  const numeric = (c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46;
  if (!numeric) return text;
  const ts = goTimestamp(text);
  if (ts !== undefined) return ts;
  const plain = text.replaceAll("_", "");
  const i = goParseInt(plain);
  if (i !== undefined) return i;
  if (FLOAT_RE.test(plain)) return Number(plain);
  return text;
}

/** A JSON number after Go's JSON encoding and go-yaml v2's decoding: integral values become ints. */
export function normaliseFloat(f: number): bigint | number {
  if (Number.isInteger(f) && Math.abs(f) < 1e21) {
    // Go writes the shortest digits that read back ("-9223372036854776000"), not the exact value.
    const b = BigInt(String(f));
    if (b >= INT64_MIN && b <= UINT64_MAX) return b;
  }
  return f;
}

function keyText(key: GoValue): string {
  if (key === null) return "null";
  if (typeof key === "number" || typeof key === "bigint" || typeof key === "boolean") return String(key);
  throw new Error("a mapping key must be a scalar");
}

/** Converts a resource node into the JSON data model (aliases resolved, plain scalars typed). */
export function toGoValue(node: unknown): GoValue {
  if (isAlias(node)) throw new Error("YAML aliases are not supported in resources");
  if (isScalar(node)) {
    const v = node.value;
    if (typeof v === "number") return Number.isInteger(v) ? BigInt(v) : normaliseFloat(v);
    if (typeof v === "boolean" || v === null || v === undefined) return v ?? null;
    if (typeof v === "bigint") return v;
    if (typeof v !== "string") throw new Error("unexpected scalar value in a resource");
    const s = v;
    if (node.type === "BLOCK_FOLDED") return refoldFolded(s);
    if (node.type !== "PLAIN") return s;
    const r = resolvePlain(s);
    return typeof r === "number" ? normaliseFloat(r) : r;
  }
  if (isMap(node)) {
    const out: GoMap = new Map();
    for (const pair of node.items) {
      const key = toGoValue(pair.key);
      out.set(typeof key === "string" ? key : keyText(key), toGoValue(pair.value));
    }
    return out;
  }
  if (isSeq(node)) return node.items.map((n) => toGoValue(n));
  return null;
}
