import { goParseInt, goTimestamp } from "./go-value.js";

/**
 * How go-yaml v2 writes one string scalar: whether it may stay plain, needs single or double
 * quotes or a literal block (libyaml's analyze/select rules), with escapes and the folding of long
 * lines at column 80. Split from the structural printer so each part stays readable.
 */

const BEST_WIDTH = 80;

const V2_MAP_LITERALS = new Set([
  "y",
  "Y",
  "yes",
  "Yes",
  "YES",
  "n",
  "N",
  "no",
  "No",
  "NO",
  "true",
  "True",
  "TRUE",
  "false",
  "False",
  "FALSE",
  "on",
  "On",
  "ON",
  "off",
  "Off",
  "OFF",
  "~",
  "null",
  "Null",
  "NULL",
  "",
  ".nan",
  ".NaN",
  ".NAN",
  ".inf",
  ".Inf",
  ".INF",
  "+.inf",
  "+.Inf",
  "+.INF",
  "-.inf",
  "-.Inf",
  "-.INF",
  "<<",
]);
const FLOAT_RE = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const BASE60_RE = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/;

/** Whether go-yaml v2 would read this string back, unquoted, as something other than a string. */
export function v2NeedsQuotes(s: string): boolean {
  if (V2_MAP_LITERALS.has(s)) return true;
  const c = s.charCodeAt(0);
  if (c === 46) return FLOAT_RE.test(s);
  const numeric = (c >= 48 && c <= 57) || c === 43 || c === 45;
  if (!numeric) return false;
  if (goTimestampV2(s)) return true;
  const plain = s.replaceAll("_", "");
  if (goParseInt(plain) !== undefined) return true;
  if (FLOAT_RE.test(plain)) return true;
  if (/^-?0b[01]+$/.test(plain)) return true;
  return BASE60_RE.test(s);
}

function goTimestampV2(s: string): boolean {
  if (!/^\d{4}-/.test(s)) return false;
  return goTimestamp(s) !== undefined;
}

function isPrintable(cp: number): boolean {
  return (
    cp === 0x0a ||
    (cp >= 0x20 && cp <= 0x7e) ||
    (cp >= 0xa0 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd && cp !== 0xfeff)
  );
}

const isBreak = (cp: number | undefined): boolean =>
  cp === 0x0a || cp === 0x0d || cp === 0x85 || cp === 0x2028 || cp === 0x2029;
const isBlank = (cp: number | undefined): boolean => cp === 0x20 || cp === 0x09;

/** What the emitter allows for a scalar (libyaml's analyze_scalar). */
interface Analysis {
  multiline: boolean;
  blockPlain: boolean;
  single: boolean;
  block: boolean;
}

/** Indicators that make a plain scalar impossible when they start it. */
const FIRST_INDICATORS = new Set(Array.from("#,[]{}&*!|>'\"%@`", (c) => c.charCodeAt(0)));
/** `?`, `:` and `-` do too when a blank follows. */
const FIRST_INDICATORS_BEFORE_WS = new Set(Array.from("?:-", (c) => c.charCodeAt(0)));

function isFirstIndicator(cp: number, followedByWs: boolean): boolean {
  return FIRST_INDICATORS.has(cp) || (followedByWs && FIRST_INDICATORS_BEFORE_WS.has(cp));
}

/** Width in UTF-16 units of the code point `cp`. */
const unitsOf = (cp: number): number => (cp > 0xffff ? 2 : 1);

/** Characters libyaml prints as they are (its is_printable), as a class to search for the others. */
const NOT_PRINTABLE = /[^\n\x20-\x7e\xa0-\ud7ff\ue000-\ufefe\uff00-\ufffd]/;
const BREAK = "[\\n\\r\\x85\\u2028\\u2029]";
const LINE_BREAK = new RegExp(BREAK);
const BREAK_THEN_SPACE = new RegExp(`${BREAK} `);
const SPACE_THEN_BREAK = new RegExp(` ${BREAK}`);
/** After the first character: `:` before a blank, a break or the end; `#` after a blank or a break. */
const INNER_INDICATOR = new RegExp(`[^]:(?:[ \\t]|${BREAK}|$)|(?:[ \\t]|${BREAK})#`);

/**
 * libyaml's analyze_scalar, with the per-character loop turned into a few searches: CRDs and
 * dashboards carry strings of hundreds of kilobytes, and every string is analysed. The flags are
 * the loop's (tests compare them): a character is printable as libyaml's is_printable says
 * (astral and lone surrogates are not), indicators count at the start and inside as it checks.
 */
function analyze(s: string): Analysis {
  const n = s.length;
  if (n === 0) return { multiline: false, blockPlain: true, single: true, block: false };
  const first = s.codePointAt(0)!;
  const second = s.codePointAt(unitsOf(first));
  const firstFollowedByWs = second === undefined || isBlank(second) || isBreak(second);
  const blockInd =
    s.startsWith("---") ||
    s.startsWith("...") ||
    isFirstIndicator(first, firstFollowedByWs) ||
    INNER_INDICATOR.test(s);
  const special = NOT_PRINTABLE.test(s);
  const lineBreaks = LINE_BREAK.test(s);
  const last = s.charCodeAt(n - 1);
  const leadSpace = first === 0x20;
  const leadBreak = isBreak(first);
  const trailSpace = last === 0x20;
  const trailBreak = isBreak(last);
  const breakSpace = lineBreaks && BREAK_THEN_SPACE.test(s);
  const spaceBreak = lineBreaks && SPACE_THEN_BREAK.test(s);
  let blockPlain = !(leadSpace || leadBreak || trailSpace || trailBreak);
  let single = true;
  let block = !trailSpace;
  if (breakSpace) blockPlain = single = false;
  if (spaceBreak || special) blockPlain = single = block = false;
  if (lineBreaks || blockInd) blockPlain = false;
  return { multiline: lineBreaks, blockPlain, single, block };
}

/** Accumulates output while tracking the column, as libyaml's emitter does (in code points). */
export class Writer {
  out: string[] = [];
  column = 0;
  /** Set right after a line break that belongs to a block scalar's content. */
  lineStart = false;

  put(s: string): void {
    this.out.push(s);
    this.column += s.length;
    this.lineStart = false;
  }

  newline(indent: number): void {
    this.out.push((this.lineStart ? "" : "\n") + " ".repeat(indent));
    this.column = indent;
    this.lineStart = false;
  }

  rawBreak(): void {
    this.out.push("\n");
    this.column = 0;
    this.lineStart = true;
  }
}

const ESCAPES = new Map<number, string>([
  [0x00, "0"],
  [0x07, "a"],
  [0x08, "b"],
  [0x09, "t"],
  [0x0a, "n"],
  [0x0b, "v"],
  [0x0c, "f"],
  [0x0d, "r"],
  [0x1b, "e"],
  [0x22, '"'],
  [0x5c, "\\"],
  [0x85, "N"],
  [0xa0, "_"],
  [0x2028, "L"],
  [0x2029, "P"],
]);

function escapeCp(cp: number): string {
  const known = ESCAPES.get(cp);
  if (known !== undefined) return "\\" + known;
  const hex = cp.toString(16).toUpperCase();
  if (cp <= 0xff) return "\\x" + hex.padStart(2, "0");
  if (cp <= 0xffff) return "\\u" + hex.padStart(4, "0");
  return "\\U" + hex.padStart(8, "0");
}

/*
 * The writers below copy runs of characters as slices of `s` and track the column as the
 * emitter does: the column before the pending run plus the run's length (in UTF-16 units, as
 * the code-point version counted too; astral characters are only ever written escaped).
 */

function writeDouble(w: Writer, s: string, indent: number, breaks: boolean): void {
  w.put('"');
  const n = s.length;
  let start = 0;
  let spaces = false;
  for (let i = 0; i < n;) {
    const cp = s.codePointAt(i)!;
    const width = unitsOf(cp);
    if (!isPrintable(cp) || cp === 0xfeff || isBreak(cp) || cp === 0x22 || cp === 0x5c) {
      w.put(s.slice(start, i));
      w.put(escapeCp(cp));
      start = i + width;
    } else if (cp === 0x20) {
      const column = w.column + (i - start);
      if (breaks && !spaces && column > BEST_WIDTH && i !== 0 && i !== n - 1) {
        foldDouble(w, s.slice(start, i), indent, s.charCodeAt(i + 1) === 0x20);
        start = i + 1;
      }
    }
    spaces = cp === 0x20;
    i += width;
  }
  w.put(s.slice(start));
  w.put('"');
}

/** Folds a double-quoted scalar at a space, after the pending `run`; a space after it is escaped. */
function foldDouble(w: Writer, run: string, indent: number, spaceNext: boolean): void {
  w.put(run);
  w.newline(indent);
  if (spaceNext) w.put("\\");
}

function writeSingle(w: Writer, s: string, indent: number, breaks: boolean): void {
  w.put("'");
  const n = s.length;
  let start = 0;
  let spaces = false;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x20) {
      const column = w.column + (i - start);
      if (
        breaks &&
        !spaces &&
        column > BEST_WIDTH &&
        i !== 0 &&
        i !== n - 1 &&
        s.charCodeAt(i + 1) !== 0x20
      ) {
        w.put(s.slice(start, i));
        w.newline(indent);
        start = i + 1;
      }
      spaces = true;
    } else {
      if (c === 0x27) {
        w.put(s.slice(start, i));
        w.put("'");
        start = i;
      }
      spaces = false;
    }
  }
  w.put(s.slice(start));
  w.put("'");
}

function writePlain(w: Writer, s: string, indent: number, breaks: boolean): void {
  if (!breaks || !s.includes(" ")) {
    w.put(s);
    return;
  }
  const n = s.length;
  let start = 0;
  let spaces = false;
  for (let i = 0; i < n; i++) {
    if (s.charCodeAt(i) === 0x20) {
      const column = w.column + (i - start);
      if (!spaces && column > BEST_WIDTH && s.charCodeAt(i + 1) !== 0x20) {
        w.put(s.slice(start, i));
        w.newline(indent);
        start = i + 1;
      }
      spaces = true;
    } else {
      spaces = false;
    }
  }
  w.put(s.slice(start));
}

function writeLiteral(w: Writer, s: string, indent: number): void {
  let hints = "|";
  if (s.startsWith(" ") || isBreak(s.codePointAt(0))) hints += "2";
  if (!isBreak(s.codePointAt(s.length - 1))) hints += "-";
  else if (s.length === 1 || isBreak(s.codePointAt(s.length - 2))) hints += "+";
  w.put(hints);
  const lines = s.split("\n");
  if (s.endsWith("\n")) lines.pop();
  for (const line of lines) {
    w.rawBreak();
    if (line !== "") {
      w.newline(indent);
      w.put(line);
    }
  }
  if (s.endsWith("\n")) w.rawBreak();
}

type Style = "plain" | "single" | "double" | "literal";

function chooseStyle(s: string, isKey: boolean): Style {
  const a = analyze(s);
  let style: Style = s.includes("\n") ? "literal" : v2NeedsQuotes(s) ? "double" : "plain";
  if (isKey && a.multiline) style = "double";
  if (style === "plain") {
    if (!a.blockPlain) style = "single";
    if (s.length === 0 && isKey) style = "single";
  }
  if (style === "single" && !a.single) style = "double";
  if (style === "literal" && (!a.block || isKey)) style = "double";
  return style;
}

/** Writes a string scalar at the current position; `indent` is where folded lines continue. */
export function writeString(w: Writer, s: string, indent: number, isKey: boolean): void {
  const style = chooseStyle(s, isKey);
  const breaks = !isKey;
  if (style === "plain") writePlain(w, s, indent, breaks);
  else if (style === "single") writeSingle(w, s, indent, breaks);
  else if (style === "double") writeDouble(w, s, indent, breaks);
  else writeLiteral(w, s, indent);
}
