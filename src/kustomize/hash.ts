import { createHash } from "node:crypto";
import { isMap } from "yaml";
import { getIn, Resource, scalarText } from "./resource.js";
import { toGoValue, type GoValue } from "./output/go-value.js";

/** JSON text as Go's encoding/json writes it (sorted keys, HTML-safe escapes). */
export function goJson(v: GoValue): string {
  if (v === null) return "null";
  if (typeof v === "string") return goJsonString(v);
  if (typeof v === "boolean" || typeof v === "bigint") return String(v);
  if (typeof v === "number") return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(goJson).join(",")}]`;
  const keys = [...v.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${keys.map((k) => `${goJsonString(k)}:${goJson(v.get(k)!)}`).join(",")}}`;
}

function goJsonString(s: string): string {
  return JSON.stringify(s)
    .replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

function fieldValue(res: Resource, field: string): GoValue {
  const node = getIn(res.node, field);
  if (node === undefined) return "";
  if (isMap(node)) return toGoValue(node);
  return scalarText(node) ?? toGoValue(node);
}

/** kustomize's encoding of a hash as a name suffix: 10 hex digits with some letters swapped. */
function encode(hex: string): string {
  const swap: Record<string, string> = { "0": "g", "1": "h", "3": "k", a: "m", e: "t" };
  return Array.from(hex.slice(0, 10), (c) => swap[c] ?? c).join("");
}

/** The content hash kustomize appends to generated ConfigMap and Secret names. */
export function contentHash(res: Resource): string {
  const m = new Map<string, GoValue>();
  m.set("kind", res.kind());
  // kustomize looks the name up as one field literally called "metadata/name", which never
  // exists: the name is always "" in the hashed document. Reproduced for identical suffixes.
  m.set("name", fieldValue(res, "metadata/name"));
  m.set("data", fieldValue(res, "data"));
  if (res.kind() === "Secret") {
    m.set("type", fieldValue(res, "type"));
    const sd = fieldValue(res, "stringData");
    if (sd instanceof Map) m.set("stringData", sd);
  } else {
    const bd = fieldValue(res, "binaryData");
    if (bd instanceof Map) m.set("binaryData", bd);
  }
  const hex = createHash("sha256").update(goJson(m)).digest("hex");
  return encode(hex);
}
