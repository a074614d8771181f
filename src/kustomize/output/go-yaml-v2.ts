import type { GoMap, GoValue } from "./go-value.js";
import { Writer, writeString } from "./scalar.js";

/**
 * A printer for the JSON data model that reproduces go-yaml v2's `Marshal` byte for byte, which is
 * what `kubectl kustomize` prints with (sigs.k8s.io/yaml JSONToYAML): keys in go-yaml's "natural"
 * order, 2-space indent, sequences not indented under their key, long scalars folded at column
 * 80, quoting only where a plain scalar would read back as another type or be invalid.
 */

/** go-yaml v2's float spelling: strconv.FormatFloat(f, 'g', -1, 64). */
export function goFormatFloat(f: number): string {
  if (Number.isNaN(f)) return ".nan";
  if (!Number.isFinite(f)) return f > 0 ? ".inf" : "-.inf";
  if (f === 0) return Object.is(f, -0) ? "-0" : "0";
  const [mant, expText] = f.toExponential().split("e") as [string, string];
  const exp = Number(expText);
  if (exp < -4 || exp >= 6) {
    const sign = exp < 0 ? "-" : "+";
    return `${mant}e${sign}${String(Math.abs(exp)).padStart(2, "0")}`;
  }
  return String(f);
}

function scalarText(v: Exclude<GoValue, string | GoValue[] | GoMap>): string {
  if (v === null) return "null";
  if (typeof v === "boolean") return v ? "true" : "false";
  if (typeof v === "bigint") return v.toString();
  return goFormatFloat(v);
}

function isLetter(ch: string): boolean {
  return /\p{L}/u.test(ch);
}

function isDigit(ch: string | undefined): boolean {
  return ch !== undefined && ch >= "0" && ch <= "9";
}

const isAsciiLetter = (c: number): boolean => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);

/**
 * go-yaml v2's key order: runs of digits compare as numbers, non-letters before letters. Keys are
 * mostly ASCII words: where the first difference is between two ASCII characters that are not
 * both non-letters, it decides at once; digits and other scripts take the full comparison.
 */
export function v2KeyLess(a: string, b: string): boolean {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  if (i === n) return a.length < b.length;
  const ca = a.charCodeAt(i);
  const cb = b.charCodeAt(i);
  if (ca < 0x80 && cb < 0x80) {
    const al = isAsciiLetter(ca);
    const bl = isAsciiLetter(cb);
    if (al && bl) return ca < cb;
    if (al || bl) return bl;
  }
  return v2KeyLessFull(a, b);
}

function v2KeyLessFull(a: string, b: string): boolean {
  const ar = Array.from(a);
  const br = Array.from(b);
  for (let i = 0; i < ar.length && i < br.length; i++) {
    if (ar[i] === br[i]) continue;
    const al = isLetter(ar[i]!);
    const bl = isLetter(br[i]!);
    if (al && bl) return ar[i]!.codePointAt(0)! < br[i]!.codePointAt(0)!;
    if (al || bl) return bl;
    return numericLess(ar, br, i);
  }
  return ar.length < br.length;
}

function numericLess(ar: string[], br: string[], i: number): boolean {
  let an = 0n;
  let bn = 0n;
  if (ar[i] === "0" || br[i] === "0") {
    for (let j = i - 1; j >= 0 && isDigit(ar[j]); j--) {
      if (ar[j] !== "0") {
        an = 1n;
        bn = 1n;
        break;
      }
    }
  }
  let ai = i;
  for (; ai < ar.length && isDigit(ar[ai]); ai++) an = an * 10n + BigInt(ar[ai]!.charCodeAt(0) - 48);
  let bi = i;
  for (; bi < br.length && isDigit(br[bi]); bi++) bn = bn * 10n + BigInt(br[bi]!.charCodeAt(0) - 48);
  if (an !== bn) return an < bn;
  if (ai !== bi) return ai < bi;
  return ar[i]!.codePointAt(0)! < br[i]!.codePointAt(0)!;
}

function sortedKeys(m: GoMap): string[] {
  return [...m.keys()].sort((a, b) => (v2KeyLess(a, b) ? -1 : v2KeyLess(b, a) ? 1 : 0));
}

const isCollection = (v: GoValue): v is GoValue[] | GoMap => Array.isArray(v) || v instanceof Map;
const isEmptyCollection = (v: GoValue): boolean =>
  (Array.isArray(v) && v.length === 0) || (v instanceof Map && v.size === 0);

/** Writes a value after "key:" or "- "; `indent` is the indent of the enclosing block. */
function writeValue(w: Writer, v: GoValue, indent: number, inSeqOfMap: "map" | "seq"): void {
  if (isCollection(v) && !isEmptyCollection(v)) {
    const inner = v instanceof Map || inSeqOfMap === "seq" ? indent + 2 : indent;
    if (inSeqOfMap === "map") w.newline(inner);
    else w.put(" ");
    if (v instanceof Map) writeMap(w, v, inner);
    else writeSeq(w, v, inner);
    return;
  }
  w.put(" ");
  if (Array.isArray(v)) w.put("[]");
  else if (v instanceof Map) w.put("{}");
  else if (typeof v === "string") writeString(w, v, indent + 2, false);
  else w.put(scalarText(v));
}

function writeMap(w: Writer, m: GoMap, indent: number): void {
  let first = true;
  for (const key of sortedKeys(m)) {
    if (!first) w.newline(indent);
    first = false;
    writeString(w, key, indent, true);
    w.put(":");
    writeValue(w, m.get(key)!, indent, "map");
  }
}

function writeSeq(w: Writer, items: GoValue[], indent: number): void {
  let first = true;
  for (const item of items) {
    if (!first) w.newline(indent);
    first = false;
    w.put("-");
    writeValue(w, item, indent, "seq");
  }
}

/** Prints one JSON document as go-yaml v2 does (a map at the root, as resources are). */
export function marshalV2(doc: GoMap): string {
  const w = new Writer();
  if (doc.size === 0) return "{}\n";
  writeMap(w, doc, 0);
  const text = w.out.join("");
  return text.endsWith("\n") ? text : text + "\n";
}
