/**
 * The string operators of post-build substitution (`${#v}`, `${v^^}`, `${v:1:2}`, trims,
 * replacements, defaults), with the results Flux's envsubst gives, including where they differ
 * from bash: every default operator (`=`, `:=`, `:-`, `:?`, `:+`) means "use the default when the
 * value is empty", and `${v/#p/}` (prefix replace without a replacement) leaves the value alone.
 */
import { BadPatternError, globMatch } from "./glob.js";

/** An operator: the variable's value and the evaluated arguments in, the expansion out. */
type Operator = (value: string, args: readonly string[]) => string;

const utf8 = (s: string): Buffer => Buffer.from(s, "utf8");

/** Go's simple case mapping: a character whose mapping is not one character is kept. */
function mapChar(c: string, upper: boolean): string {
  const m = upper ? c.toUpperCase() : c.toLowerCase();
  return [...m].length === 1 ? m : c;
}

const mapAll = (s: string, upper: boolean): string => [...s].map((c) => mapChar(c, upper)).join("");

function mapFirst(s: string, upper: boolean): string {
  const first = [...s][0];
  return first === undefined ? s : mapChar(first, upper) + s.slice(first.length);
}

/** Go's strconv.Atoi for the substring offsets; undefined when it would fail. */
function atoi(s: string | undefined): number | undefined {
  return s !== undefined && /^[+-]?\d+$/.test(s) ? Number(s) : undefined;
}

/** `${v:pos}` and `${v:pos:len}` over UTF-8 bytes, as Flux slices Go strings. */
function substring(value: string, args: readonly string[]): string {
  const bytes = utf8(value);
  let pos = atoi(args[0]);
  if (pos === undefined) return value;
  if (pos < 0) pos = Math.max(0, bytes.length + pos);
  if (args.length === 1) return pos < bytes.length ? bytes.subarray(pos).toString("utf8") : "";
  const length = atoi(args[1]);
  if (length === undefined) return value;
  if (pos + length >= bytes.length) return pos < bytes.length ? bytes.subarray(pos).toString("utf8") : "";
  return bytes.subarray(pos, pos + length).toString("utf8");
}

/** Go's strings.Replace: `n` < 0 replaces all; an empty `old` inserts between characters. */
function goReplace(s: string, old: string, replacement: string, n: number): string {
  if (old === "") {
    const chars = [...s];
    const limit = n < 0 ? chars.length + 1 : n;
    let out = "";
    for (let i = 0; i <= chars.length; i++) out += (i < limit ? replacement : "") + (chars[i] ?? "");
    return out;
  }
  return n < 0 ? s.split(old).join(replacement) : s.replace(old, () => replacement);
}

const reverse = (s: string): string => [...s].reverse().join("");

/** Strips the shortest (or longest) prefix of `s` matching `pattern`; bad patterns trim nothing. */
function trimPrefix(s: string, pattern: string, longest: boolean): string {
  try {
    let found: string | undefined;
    for (let i = 0; i < s.length; i++) {
      const candidate = s.slice(0, s.length - i);
      if (!globMatch(pattern, candidate)) continue;
      found = candidate;
      if (longest) break;
    }
    return found === undefined ? s : s.slice(found.length);
  } catch (e) {
    if (e instanceof BadPatternError) return s;
    throw e;
  }
}

/** Suffix trims reverse the value and the pattern, as Flux does (so `[a-z]` classes misbehave). */
const trimSuffix = (s: string, pattern: string, longest: boolean): string =>
  reverse(trimPrefix(reverse(s), reverse(pattern), longest));

const useDefault: Operator = (v, args) => (v === "" && args.length > 0 ? args.join("") : v);

const OPERATORS: Readonly<Record<string, Operator>> = {
  ",": (v) => mapFirst(v, false),
  ",,": (v) => mapAll(v, false),
  "^": (v) => mapFirst(v, true),
  "^^": (v) => mapAll(v, true),
  "#": (v, a) => (a.length === 0 ? String(utf8(v).length) : trimPrefix(v, a[0] ?? "", false)),
  "##": (v, a) => trimPrefix(v, a[0] ?? "", true),
  "%": (v, a) => trimSuffix(v, a[0] ?? "", false),
  "%%": (v, a) => trimSuffix(v, a[0] ?? "", true),
  ":": substring,
  "/": (v, a) => (a.length === 0 ? v : goReplace(v, a[0] ?? "", a[1] ?? "", 1)),
  "//": (v, a) => (a.length === 0 ? v : goReplace(v, a[0] ?? "", a[1] ?? "", -1)),
  "/#": (v, a) =>
    a.length === 2 && v.startsWith(a[0] ?? "") ? (a[1] ?? "") + v.slice((a[0] ?? "").length) : v,
  "/%": (v, a) =>
    a.length === 2 && v.endsWith(a[0] ?? "") ? v.slice(0, v.length - (a[0] ?? "").length) + (a[1] ?? "") : v,
};

/** Applies operator `op` ("" for a plain `${v}`); unknown operators behave as defaults, as in Flux. */
export function applyOperator(op: string, value: string, args: readonly string[]): string {
  return (OPERATORS[op] ?? useDefault)(value, args);
}

/** Operators that accept an unset variable (they supply a fallback), so strict mode allows them. */
export function toleratesUnset(op: string): boolean {
  return ["-", "+", "=", "?", ":-", ":+", ":=", ":?"].includes(op);
}
