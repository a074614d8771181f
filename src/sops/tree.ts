/**
 * SOPS's document model: an ordered tree of maps, lists and scalars, with comments kept where a
 * format has them (dotenv). Ints and floats are told apart because the MAC hashes their text as
 * Go's strconv prints it.
 */

/** A Go `float64` leaf (an int-valued float still hashes as a float). */
export class SopsFloat {
  constructor(readonly value: number) {}
}

/** A comment line; never part of the MAC. */
export class SopsComment {
  constructor(readonly text: string) {}
}

/** A leaf value. Integers are bigint so 64-bit values keep their digits. */
export type SopsScalar = string | bigint | SopsFloat | boolean | null;

/** One entry of a map: a key and its value, or a comment standing in the map. */
export type SopsEntry = { key: string; value: SopsNode } | SopsComment;

/** An ordered map. */
export interface SopsMap {
  readonly kind: "map";
  readonly entries: SopsEntry[];
}

/** A node of the tree. */
export type SopsNode = SopsScalar | SopsMap | SopsNode[];

/** A new, empty ordered map. */
export function sopsMap(entries: SopsEntry[] = []): SopsMap {
  return { kind: "map", entries };
}

/** Whether a node is a map. */
export function isSopsMap(node: SopsNode): node is SopsMap {
  return typeof node === "object" && node !== null && !Array.isArray(node) && "kind" in node;
}

/** The value of `key` in a map, if present. */
export function mapGet(map: SopsMap, key: string): SopsNode | undefined {
  for (const e of map.entries) if (!(e instanceof SopsComment) && e.key === key) return e.value;
  return undefined;
}

/** Go's `strconv.FormatFloat(f, 'f', -1, 64)`: shortest digits, never an exponent. */
export function formatGoFloat(f: number): string {
  if (!Number.isFinite(f)) return f > 0 ? "+Inf" : f < 0 ? "-Inf" : "NaN";
  const s = String(f);
  const m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(s);
  if (m === null) return s;
  const [, sign, lead, frac = "", expText] = m;
  const exp = Number(expText);
  const digits = (lead ?? "") + frac;
  if (exp >= 0) {
    const intLen = 1 + exp;
    return sign + (digits.length <= intLen ? digits.padEnd(intLen, "0") : `${digits.slice(0, intLen)}.${digits.slice(intLen)}`);
  }
  return `${sign}0.${"0".repeat(-exp - 1)}${digits}`;
}

/** The bytes SOPS hashes for a leaf (Go's `sops.ToBytes`). */
export function macBytes(value: Exclude<SopsScalar, null>): string {
  if (typeof value === "string") return value;
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "boolean") return value ? "True" : "False";
  return formatGoFloat(value.value);
}

/** A leaf as the text a format writes for it (numbers as Go prints them). */
export function scalarText(value: Exclude<SopsScalar, null>): string {
  if (typeof value === "boolean") return value ? "true" : "false";
  return macBytes(value);
}

/** The tree as plain JSON-able data (comments dropped), for the YAML/JSON emitters. */
export function toPlain(node: SopsNode): unknown {
  if (node instanceof SopsFloat) return node.value;
  if (Array.isArray(node)) return node.filter((n) => !(n instanceof SopsComment)).map(toPlain);
  if (node !== null && typeof node === "object") {
    const out: Record<string, unknown> = {};
    for (const e of node.entries) if (!(e instanceof SopsComment)) out[e.key] = toPlain(e.value);
    return out;
  }
  return node;
}
