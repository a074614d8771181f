/**
 * SOPS's file formats as far as decryption needs them: YAML (one branch per document), JSON,
 * dotenv (metadata flattened into `sops_*` keys) and binary (a JSON envelope whose `data` leaf is
 * the whole file). Loading splits the `sops` metadata from the branches; emitting writes the
 * decrypted branches in the same format.
 */
import { Document, parse, parseAllDocuments, visit } from "yaml";
import { SopsMetadataError } from "./metadata.js";
import { isSopsMap, SopsComment, SopsFloat, sopsMap, type SopsMap, type SopsNode, formatGoFloat, scalarText } from "./tree.js";

/** The formats a SOPS file can have (Flux's `formats.Format`). */
export type SopsFormat = "yaml" | "json" | "dotenv" | "binary" | "ini";

/** The byte markers Flux detects each encrypted format by. */
export const FORMAT_MARKERS: Record<SopsFormat, string> = {
  binary: '"mac": "ENC[',
  dotenv: "sops_mac=ENC[",
  ini: "[sops]",
  json: '"mac": "ENC[',
  yaml: "mac: ENC[",
};

/** SOPS's format for a file name (Flux treats `.dockerconfigjson` as JSON too). */
export function formatForPath(p: string): SopsFormat {
  if (p.endsWith(".dockerconfigjson") || p.endsWith(".json")) return "json";
  if (p.endsWith(".yaml") || p.endsWith(".yml")) return "yaml";
  if (p.endsWith(".env")) return "dotenv";
  if (p.endsWith(".ini")) return "ini";
  return "binary";
}

/** Branches and the raw `sops` map of a loaded file. */
export interface LoadedFile {
  readonly branches: SopsMap[];
  readonly meta: SopsMap;
}

function fromYaml(value: unknown): SopsNode {
  if (value instanceof Map) {
    const map = sopsMap();
    for (const [k, v] of value) {
      if (typeof k !== "string") throw new SopsMetadataError(`the document has a non-string key '${String(k)}'; SOPS supports string keys only`);
      map.entries.push({ key: k, value: fromYaml(v) });
    }
    return map;
  }
  if (Array.isArray(value)) return value.map(fromYaml);
  return scalarFromYaml(value);
}

function scalarFromYaml(value: unknown): SopsNode {
  if (typeof value === "number") return new SopsFloat(value);
  if (typeof value === "string" || typeof value === "bigint" || typeof value === "boolean") return value;
  if (value === null || value === undefined) return null;
  throw new SopsMetadataError(`the document holds a value SOPS cannot represent (${typeof value})`);
}

function loadYamlLike(text: string, schema: "core" | "json"): SopsMap[] {
  const docs = parseAllDocuments(text, { intAsBigInt: true, schema, merge: schema === "core", uniqueKeys: false });
  if (!Array.isArray(docs)) return [];
  const branches: SopsMap[] = [];
  for (const doc of docs) {
    if (doc.errors.length > 0) throw new SopsMetadataError(`the file is not valid ${schema === "json" ? "JSON" : "YAML"}: ${doc.errors[0]?.message.split("\n")[0] ?? ""}`);
    const node = fromYaml(doc.toJS({ mapAsMap: true }));
    if (node === null) branches.push(sopsMap());
    else if (isSopsMap(node)) branches.push(node);
    else throw new SopsMetadataError("a document of the file is not a mapping; SOPS supports mappings only");
  }
  return branches;
}

/** Removes the top-level `sops` entry of every branch; returns the first branch's. */
function splitMetadata(branches: SopsMap[]): LoadedFile {
  let meta: SopsMap | undefined;
  const out = branches.map((b, i) => {
    const kept = b.entries.filter((e) => {
      if (e instanceof SopsComment || e.key !== "sops") return true;
      if (i === 0 && isSopsMap(e.value)) meta ??= e.value;
      return false;
    });
    return sopsMap(kept);
  });
  if (meta === undefined) throw new SopsMetadataError("sops metadata not found");
  return { branches: out, meta };
}

function loadDotenv(text: string): LoadedFile {
  const branch = sopsMap();
  const flat: Array<[string, string]> = [];
  for (const line of text.split("\n")) {
    if (line === "") continue;
    if (line.startsWith("#")) {
      branch.entries.push(new SopsComment(line.slice(1)));
      continue;
    }
    const eq = line.indexOf("=");
    if (eq < 0) throw new SopsMetadataError(`invalid dotenv line ${branch.entries.length + flat.length + 1}: no '='`);
    const key = line.slice(0, eq);
    const value = line.slice(eq + 1).replaceAll("\\n", "\n");
    if (key.startsWith("sops_")) flat.push([key.slice("sops_".length), value]);
    else branch.entries.push({ key, value });
  }
  if (flat.length === 0) throw new SopsMetadataError("sops metadata not found");
  return { branches: [branch], meta: unflatten(flat) };
}

type Flat = { value?: string; keys?: Map<string, Flat>; items?: Map<number, Flat> };

/** SOPS's flattened metadata keys (`age__list_0__map_enc`) back into a tree. */
function unflatten(flat: Array<[string, string]>): SopsMap {
  const root: Flat = {};
  for (const [key, value] of flat) {
    let node = root;
    for (const token of key.split(/(?=__map_|__list_)/)) {
      if (token.startsWith("__list_")) {
        node.items ??= new Map();
        const i = Number(token.slice("__list_".length));
        node = node.items.get(i) ?? node.items.set(i, {}).get(i)!;
      } else {
        const name = token.startsWith("__map_") ? token.slice("__map_".length) : token;
        node.keys ??= new Map();
        node = node.keys.get(name) ?? node.keys.set(name, {}).get(name)!;
      }
    }
    node.value = value;
  }
  const convert = (n: Flat): SopsNode => {
    if (n.value !== undefined) return n.value;
    if (n.items !== undefined) return [...n.items.entries()].sort((a, b) => a[0] - b[0]).map(([, v]) => convert(v));
    return sopsMap([...(n.keys ?? new Map<string, Flat>())].map(([key, v]) => ({ key, value: convert(v) })));
  };
  return convert(root) as SopsMap;
}

/** Parses an encrypted file of `format`. */
export function loadEncryptedFile(bytes: Buffer, format: SopsFormat): LoadedFile {
  const text = bytes.toString("utf8");
  switch (format) {
    case "yaml":
      return splitMetadata(loadYamlLike(text, "core"));
    case "json":
    case "binary":
      return splitMetadata(loadYamlLike(text, "json"));
    case "dotenv":
      return loadDotenv(text);
    case "ini":
      throw new SopsMetadataError("SOPS INI files are not supported by mooring; encrypt the file as dotenv, YAML, JSON or binary instead");
  }
}

function toYamlValue(node: SopsNode): unknown {
  if (node instanceof SopsFloat) return node.value;
  if (Array.isArray(node)) return node.filter((n) => !(n instanceof SopsComment)).map(toYamlValue);
  if (isSopsMap(node)) {
    const m = new Map<string, unknown>();
    for (const e of node.entries) if (!(e instanceof SopsComment)) m.set(e.key, toYamlValue(e.value));
    return m;
  }
  return node;
}

/** Go's `json.Marshal` of a string: HTML characters and U+2028/2029 escaped too. */
function goJsonString(s: string): string {
  return JSON.stringify(s).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** Go's `json.Marshal` of a float64: shortest digits, exponent form below 1e-6 and from 1e21. */
function goJsonFloat(f: number): string {
  const abs = Math.abs(f);
  if (abs !== 0 && (abs < 1e-6 || abs >= 1e21)) return f.toExponential();
  return formatGoFloat(f);
}

/** sops's JSON emitter: its own encoder, then `json.Indent` with a tab. */
/** Tabs and other control characters (not newlines) make yaml.v3 double-quote a string. */
function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c < 0x20 && c !== 0x0a) || c === 0x7f) return true;
  }
  return false;
}

/** Whether a plain scalar with this text would be read by YAML 1.1 as a number, bool, null or time. */
function readsAsOtherType(text: string): boolean {
  let reread: unknown;
  try {
    reread = parse(text, { version: "1.1" });
  } catch {
    return false;
  }
  return reread === null || ["number", "boolean", "bigint"].includes(typeof reread) || reread instanceof Date;
}

/**
 * One document as sops's yaml.v3 emitter writes it, as far as it matters for Kubernetes data:
 * indent 4 with indented sequences, no line folding, strings that YAML 1.1 would read as another
 * type double-quoted, other quoting single where possible.
 */
function emitYamlDocument(branch: SopsMap): string {
  const doc = new Document(toYamlValue(branch));
  visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value !== "string" || node.value === "" || node.value.includes("\n")) return;
      if (readsAsOtherType(node.value) || hasControlCharacter(node.value)) node.type = "QUOTE_DOUBLE";
    },
  });
  return doc.toString({ indent: 4, indentSeq: true, lineWidth: 0, singleQuote: true });
}

function toJson(node: SopsNode, indent: string): string {
  if (node === null) return "null";
  const inner = `${indent}\t`;
  if (Array.isArray(node)) {
    if (node.length === 0) return "[]";
    return `[\n${node.map((n) => inner + toJson(n, inner)).join(",\n")}\n${indent}]`;
  }
  if (isSopsMap(node)) {
    const parts: string[] = [];
    for (const e of node.entries) if (!(e instanceof SopsComment)) parts.push(`${inner}${goJsonString(e.key)}: ${toJson(e.value, inner)}`);
    return parts.length === 0 ? "{}" : `{\n${parts.join(",\n")}\n${indent}}`;
  }
  if (typeof node === "string") return goJsonString(node);
  if (node instanceof SopsFloat) return goJsonFloat(node.value);
  return scalarText(node);
}

function emitDotenv(branch: SopsMap): string {
  let out = "";
  for (const e of branch.entries) {
    if (e instanceof SopsComment) out += `#${e.text}\n`;
    else if (typeof e.value === "string") out += `${e.key}=${e.value.replaceAll("\n", "\\n")}\n`;
    else if (e.value === null) out += `${e.key}=\n`;
    else if (Array.isArray(e.value) || isSopsMap(e.value)) throw new SopsMetadataError(`cannot write the complex value of '${e.key}' to a dotenv file`);
    else out += `${e.key}=${scalarText(e.value)}\n`;
  }
  return out;
}

/**
 * Writes decrypted branches in `format`. `binaryData` is the raw `data` leaf for binary files
 * (its bytes need not be UTF-8).
 */
export function emitPlainFile(branches: SopsMap[], format: SopsFormat, binaryData?: Buffer): Buffer {
  switch (format) {
    case "binary":
      if (binaryData === undefined) throw new SopsMetadataError("binary SOPS file has no 'data' value");
      return binaryData;
    case "dotenv":
      return Buffer.from(emitDotenv(branches[0] ?? sopsMap()), "utf8");
    case "json":
      return Buffer.from(`${toJson(branches[0] ?? sopsMap(), "")}\n`, "utf8");
    case "yaml":
      return Buffer.from(branches.map(emitYamlDocument).join("---\n"), "utf8");
    case "ini":
      throw new SopsMetadataError("SOPS INI files are not supported by mooring");
  }
}
