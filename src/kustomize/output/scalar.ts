import { goParseInt, goTimestamp } from "./go-value.js";

/**
 * How go-yaml v2 writes one string scalar: whether it may stay plain, needs single or double
 * quotes or a literal block (libyaml's analyze/select rules), with escapes and the folding of long
 * lines at column 80. Split from the structural printer so each part stays readable.
 */

const BEST_WIDTH = 80;

const V2_MAP_LITERALS = new Set([
  "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "true", "True", "TRUE", "false",
  "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF", "~", "null", "Null", "NULL", "",
  ".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf",
  "-.INF", "<<",
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

function firstCharFlags(ch: string, followedByWs: boolean): boolean {
  if ("#,[]{}&*!|>'\"%@`".includes(ch)) return true;
  if (ch === "?" || ch === ":" || ch === "-") return followedByWs;
  return false;
}

// eslint-disable-next-line complexity
function analyze(cps: number[]): Analysis {
  if (cps.length === 0) return { multiline: false, blockPlain: true, single: true, block: false };
  const str = String.fromCodePoint(...cps.slice(0, 3));
  let blockInd = str === "---" || str === "...";
  let lineBreaks = false;
  let special = false;
  let leadSpace = false;
  let leadBreak = false;
  let trailSpace = false;
  let trailBreak = false;
  let breakSpace = false;
  let spaceBreak = false;
  let precededByWs = true;
  let prevSpace = false;
  let prevBreak = false;
  const n = cps.length;
  for (let i = 0; i < n; i++) {
    const cp = cps[i]!;
    const next = cps[i + 1];
    const followedByWs = i + 1 >= n || isBlank(next) || isBreak(next);
    const ch = String.fromCodePoint(cp);
    if (i === 0) {
      if (firstCharFlags(ch, followedByWs)) blockInd = true;
    } else if ((ch === ":" && followedByWs) || (ch === "#" && precededByWs)) {
      blockInd = true;
    }
    if (!isPrintable(cp)) special = true;
    if (cp === 0x20) {
      if (i === 0) leadSpace = true;
      if (i === n - 1) trailSpace = true;
      if (prevBreak) breakSpace = true;
      prevSpace = true;
      prevBreak = false;
    } else if (isBreak(cp)) {
      lineBreaks = true;
      if (i === 0) leadBreak = true;
      if (i === n - 1) trailBreak = true;
      if (prevSpace) spaceBreak = true;
      prevSpace = false;
      prevBreak = true;
    } else {
      prevSpace = false;
      prevBreak = false;
    }
    precededByWs = isBlank(cp) || isBreak(cp);
  }
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

  putCp(cp: number): void {
    this.put(String.fromCodePoint(cp));
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
  [0x00, "0"], [0x07, "a"], [0x08, "b"], [0x09, "t"], [0x0a, "n"], [0x0b, "v"], [0x0c, "f"],
  [0x0d, "r"], [0x1b, "e"], [0x22, '"'], [0x5c, "\\"], [0x85, "N"], [0xa0, "_"], [0x2028, "L"],
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

function writeDouble(w: Writer, cps: number[], indent: number, breaks: boolean): void {
  w.put('"');
  let spaces = false;
  for (let i = 0; i < cps.length; i++) {
    const cp = cps[i]!;
    if (!isPrintable(cp) || cp === 0xfeff || isBreak(cp) || cp === 0x22 || cp === 0x5c) {
      w.put(escapeCp(cp));
      spaces = false;
    } else if (cp === 0x20) {
      const fold = breaks && !spaces && w.column > BEST_WIDTH && i !== 0 && i !== cps.length - 1;
      if (fold) w.newline(indent);
      if (fold && cps[i + 1] === 0x20) w.put("\\");
      if (!fold) w.putCp(cp);
      spaces = true;
    } else {
      w.putCp(cp);
      spaces = false;
    }
  }
  w.put('"');
}

function writeSingle(w: Writer, cps: number[], indent: number, breaks: boolean): void {
  w.put("'");
  let spaces = false;
  for (let i = 0; i < cps.length; i++) {
    const cp = cps[i]!;
    if (cp === 0x20) {
      const last = i === cps.length - 1;
      if (breaks && !spaces && w.column > BEST_WIDTH && i !== 0 && !last && cps[i + 1] !== 0x20) {
        w.newline(indent);
      } else w.putCp(cp);
      spaces = true;
    } else {
      if (cp === 0x27) w.put("'");
      w.putCp(cp);
      spaces = false;
    }
  }
  w.put("'");
}

function writePlain(w: Writer, cps: number[], indent: number, breaks: boolean): void {
  let spaces = false;
  for (let i = 0; i < cps.length; i++) {
    const cp = cps[i]!;
    if (cp === 0x20) {
      if (breaks && !spaces && w.column > BEST_WIDTH && cps[i + 1] !== 0x20) w.newline(indent);
      else w.putCp(cp);
      spaces = true;
    } else {
      w.putCp(cp);
      spaces = false;
    }
  }
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

function chooseStyle(s: string, cps: number[], isKey: boolean): Style {
  const a = analyze(cps);
  let style: Style = s.includes("\n") ? "literal" : v2NeedsQuotes(s) ? "double" : "plain";
  if (isKey && a.multiline) style = "double";
  if (style === "plain") {
    if (!a.blockPlain) style = "single";
    if (cps.length === 0 && isKey) style = "single";
  }
  if (style === "single" && !a.single) style = "double";
  if (style === "literal" && (!a.block || isKey)) style = "double";
  return style;
}

/** Writes a string scalar at the current position; `indent` is where folded lines continue. */
export function writeString(w: Writer, s: string, indent: number, isKey: boolean): void {
  const cps = Array.from(s, (c) => c.codePointAt(0)!);
  const style = chooseStyle(s, cps, isKey);
  const breaks = !isKey;
  if (style === "plain") writePlain(w, cps, indent, breaks);
  else if (style === "single") writeSingle(w, cps, indent, breaks);
  else if (style === "double") writeDouble(w, cps, indent, breaks);
  else writeLiteral(w, s, indent);
}

