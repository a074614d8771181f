import { Pair, Scalar, Schema, YAMLMap, YAMLSeq } from "yaml";

/**
 * A fast reader for the plain block YAML that generated manifests are written in (CRDs, rendered
 * charts, dashboards), giving the same nodes as the `yaml` package's failsafe parse. Big trees
 * spent most of a build in that package's lexer and composer (issue 18); this reads the common
 * subset in one pass over the lines.
 *
 * It reads block mappings and sequences, plain scalars (folded over lines), single-line quoted
 * scalars, literal block scalars and the empty flow collections `{}` and `[]`. Anything else
 * (anchors, aliases, tags, flow collections, folded block scalars, directives, tabs, CR line
 * breaks, a missing final line break, duplicate keys, or any irregularity such as an unexpected
 * indentation) makes it return `undefined`, and the caller parses the text with the `yaml` package,
 * which also reports the errors: this reader never decides that a text is invalid.
 *
 * Comments and blank lines are dropped: the engine prints through kustomize's JSON form, which
 * has neither. Nodes carry no source ranges (used only for error lines and for a block scalar at
 * the end of a text without a final line break, which this reader leaves to the package).
 */
export function parseBlockYaml(text: string): YAMLMap[] | undefined {
  if (text === "" || !text.endsWith("\n") || text.includes("\t") || text.includes("\r")) return undefined;
  if (text.charCodeAt(0) === 0xfeff) return undefined;
  try {
    return new Reader(text).documents();
  } catch {
    // BAIL, or anything unforeseen (a stack overflow on deep nesting): the package decides.
    return undefined;
  }
}

/** Thrown inside the reader to give the text back to the `yaml` package. */
class Bail extends Error {}

function bail(): never {
  throw new Bail();
}

/** Characters that cannot start a plain scalar (or need more than this reader handles). */
const INDICATORS = new Set([..."#,[]{}&*!|>'\"%@`"]);

function indentOf(line: string): number {
  let i = 0;
  while (line.charCodeAt(i) === 0x20) i++;
  return i;
}

/** Blank lines and comment lines carry nothing between nodes. */
function isSkippable(line: string): boolean {
  const i = indentOf(line);
  return i === line.length || line.charCodeAt(i) === 0x23;
}

function isDocumentMarker(line: string): boolean {
  return (
    (line.startsWith("---") || line.startsWith("...")) && (line.length === 3 || line.charCodeAt(3) === 0x20)
  );
}

/** `- ` or a lone `-` starting the content at `at`. */
function isSeqEntry(line: string, at: number): boolean {
  return line.charCodeAt(at) === 0x2d && (at + 1 === line.length || line.charCodeAt(at + 1) === 0x20);
}

/** A scalar as the `yaml` package composes it with the failsafe schema. */
function scalar(value: string, type: Scalar.Type): Scalar<string> {
  const s = new Scalar(value);
  s.source = value;
  s.type = type;
  return s;
}

/** The rest of a line after a value: nothing, or blanks and a comment. */
function endsCleanly(rest: string): boolean {
  const t = rest.trimStart();
  return t === "" || (t.charCodeAt(0) === 0x23 && rest.length > t.length);
}

const DOUBLE_ESCAPES: Record<string, string> = {
  "0": "\0",
  a: "\x07",
  b: "\b",
  t: "\t",
  n: "\n",
  v: "\v",
  f: "\f",
  r: "\r",
  e: "\x1b",
  " ": " ",
  '"': '"',
  "/": "/",
  "\\": "\\",
  N: "\u0085",
  _: "\u00a0",
  L: "\u2028",
  P: "\u2029",
};
const HEX_DIGITS: Record<string, number> = { x: 2, u: 4, U: 8 };

/** Where the quoted scalar's closing `quote` is, scanning from `from`, or -1 (not on this line). */
function closingQuote(line: string, from: number, quote: string): number {
  for (let i = from; i < line.length; i++) {
    const c = line[i];
    if (quote === '"' && c === "\\") i++;
    else if (c === quote) {
      if (quote === "'" && line[i + 1] === "'") i++;
      else return i;
    }
  }
  return -1;
}

/** The value of a double-quoted scalar's text (between the quotes, on one line). */
function unescapeDouble(text: string): string {
  if (!text.includes("\\")) return text;
  let out = "";
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] !== "\\") continue;
    out += text.slice(start, i);
    const e = text[i + 1] ?? bail();
    const simple = DOUBLE_ESCAPES[e];
    if (simple !== undefined) {
      out += simple;
      i += 1;
    } else {
      const digits = HEX_DIGITS[e] ?? bail();
      const hex = text.slice(i + 2, i + 2 + digits);
      if (hex.length !== digits || !/^[0-9a-fA-F]+$/.test(hex)) bail();
      const cp = Number.parseInt(hex, 16);
      if (cp > 0x10ffff) bail();
      out += String.fromCodePoint(cp);
      i += 1 + digits;
    }
    start = i + 1;
  }
  return out + text.slice(start);
}

function unescapeQuoted(text: string, quote: string): string {
  return quote === '"' ? unescapeDouble(text) : text.replaceAll("''", "'");
}

/** A quoted scalar closed on its line, from `at` (the quote): its value and where it ends. */
function quotedOnLine(line: string, at: number): [string, number] {
  const quote = line[at]!;
  const close = closingQuote(line, at + 1, quote);
  if (close < 0) bail();
  return [unescapeQuoted(line.slice(at + 1, close), quote), close + 1];
}

const quoteType = (quote: string): Scalar.Type => (quote === '"' ? "QUOTE_DOUBLE" : "QUOTE_SINGLE");

/** A plain scalar's first line, from `at`: the text before a comment, without trailing blanks. */
function plainLine(line: string, at: number): string {
  const hash = line.indexOf(" #", at);
  const text = (hash < 0 ? line.slice(at) : line.slice(at, hash)).trimEnd();
  if (text === "" || text.includes(": ") || text.endsWith(":")) bail();
  return text;
}

class Reader {
  private readonly lines: string[];
  private pos = 0;
  private readonly schema = new Schema({ schema: "failsafe" });

  constructor(text: string) {
    this.lines = text.split("\n");
    this.lines.pop(); // the text ends with a line break
  }

  documents(): YAMLMap[] {
    const out: YAMLMap[] = [];
    while (this.skipBlank()) {
      const line = this.lines[this.pos]!;
      if (isDocumentMarker(line)) {
        if (!line.startsWith("---") || !endsCleanly(line.slice(3))) bail();
        this.pos++;
        continue;
      }
      if (line.startsWith("%") || indentOf(line) !== 0 || isSeqEntry(line, 0)) bail();
      out.push(this.map(0));
      // A document's mapping ends at a marker or at the end of the text, nowhere else.
      if (this.pos < this.lines.length && !isDocumentMarker(this.lines[this.pos]!)) bail();
    }
    return out;
  }

  /** Moves past blank and comment lines; false at the end of the text. */
  private skipBlank(): boolean {
    while (this.pos < this.lines.length && isSkippable(this.lines[this.pos]!)) this.pos++;
    return this.pos < this.lines.length;
  }

  /** The indentation of the next line with content, or -1 (end of text or of the document). */
  private nextIndent(): number {
    if (!this.skipBlank()) return -1;
    const line = this.lines[this.pos]!;
    return isDocumentMarker(line) ? -1 : indentOf(line);
  }

  private map(indent: number): YAMLMap {
    const map = new YAMLMap(this.schema);
    const keys = new Set<string>();
    for (;;) {
      const at = this.nextIndent();
      if (at < indent) break;
      if (at > indent) bail();
      const line = this.lines[this.pos]!;
      if (isSeqEntry(line, at)) break;
      const [key, valueAt] = this.key(line, at);
      if (keys.has(key.value)) bail();
      keys.add(key.value);
      map.items.push(new Pair(key, this.value(line, valueAt, indent, true)));
    }
    return map;
  }

  /** The key at `at` and where its value starts (after `:`). */
  private key(line: string, at: number): [Scalar<string>, number] {
    const c = line[at]!;
    let key: Scalar<string>;
    let end: number;
    if (c === '"' || c === "'") {
      const [value, after] = quotedOnLine(line, at);
      key = scalar(value, quoteType(c));
      end = after;
    } else {
      if (INDICATORS.has(c) || c === "?" || c === ":" || c === "-") bail();
      const colon = line.indexOf(": ", at);
      end = colon < 0 ? (line.endsWith(":") ? line.length - 1 : bail()) : colon;
      const text = line.slice(at, end);
      if (text.endsWith(" ") || text.includes(" #") || text === "<<" || text.length > 1000) bail();
      key = scalar(text, "PLAIN");
    }
    if (line[end] !== ":" || (end + 1 < line.length && line[end + 1] !== " ")) bail();
    return [key, end + 1];
  }

  /**
   * The value of a mapping entry or sequence item whose text starts at `at` on the current line;
   * `indent` is the indentation of the collection holding it. `inMap`: a sequence may follow at
   * the same indentation (`key:` then `- item` lines).
   */
  private value(line: string, at: number, indent: number, inMap: boolean): Scalar | YAMLMap | YAMLSeq {
    let i = at;
    while (line.charCodeAt(i) === 0x20) i++;
    if (i === line.length || (line[i] === "#" && i > at)) {
      this.pos++;
      return this.nested(indent, inMap);
    }
    const c = line[i]!;
    if (c === "|") return this.literal(line, i, indent);
    if (c === '"' || c === "'") return this.quoted(line, i, indent);
    if (c === "{" || c === "[") {
      if (line[i + 1] !== (c === "{" ? "}" : "]") || !endsCleanly(line.slice(i + 2))) bail();
      this.pos++;
      this.noContinuation(indent);
      const empty = c === "{" ? new YAMLMap(this.schema) : new YAMLSeq(this.schema);
      empty.flow = true;
      return empty;
    }
    if (INDICATORS.has(c)) bail();
    if ((c === "-" || c === "?" || c === ":") && (i + 1 === line.length || line[i + 1] === " ")) bail();
    const first = plainLine(line, i);
    this.pos++;
    if (line.includes(" #", i)) {
      // A comment ends the scalar: more lines of it would be an error.
      this.noContinuation(indent);
      return scalar(first, "PLAIN");
    }
    return scalar(this.plainContinuation(first, indent), "PLAIN");
  }

  /** A value on the lines below its key or dash: a collection, or an empty scalar. */
  private nested(indent: number, inMap: boolean): Scalar | YAMLMap | YAMLSeq {
    const at = this.nextIndent();
    const line = at < 0 ? "" : this.lines[this.pos]!;
    if (at > indent) return isSeqEntry(line, at) ? this.seq(at) : this.map(at);
    if (at === indent && inMap && isSeqEntry(line, at)) return this.seq(at);
    return scalar("", "PLAIN");
  }

  private seq(indent: number): YAMLSeq {
    const seq = new YAMLSeq(this.schema);
    for (;;) {
      const at = this.nextIndent();
      if (at < indent) break;
      if (at > indent) bail();
      const line = this.lines[this.pos]!;
      if (!isSeqEntry(line, at)) break;
      seq.items.push(this.item(line, at + 1, indent));
    }
    return seq;
  }

  /** A sequence item whose text follows the dash at `at - 1`. */
  private item(line: string, at: number, indent: number): Scalar | YAMLMap | YAMLSeq {
    let i = at;
    while (line.charCodeAt(i) === 0x20) i++;
    if (i === line.length || line[i] === "#") {
      this.pos++;
      return this.nested(indent, false);
    }
    if (isSeqEntry(line, i)) bail();
    if (this.isMapEntry(line, i)) {
      // A compact mapping: its first key is on the dash's line, at column i.
      this.lines[this.pos] = " ".repeat(i) + line.slice(i);
      return this.map(i);
    }
    return this.value(line, at, indent, false);
  }

  /** Whether the text at `i` starts a `key: value` entry (rather than a scalar). */
  private isMapEntry(line: string, i: number): boolean {
    const c = line[i]!;
    if (c === '"' || c === "'") {
      const close = closingQuote(line, i + 1, c);
      if (close < 0) return false; // a quoted scalar over several lines
      let j = close + 1;
      while (line.charCodeAt(j) === 0x20) j++;
      if (line[j] !== ":") return false;
      if (j !== close + 1) bail();
      return true;
    }
    if (INDICATORS.has(c)) return false;
    const hash = line.indexOf(" #", i);
    const text = hash < 0 ? line.slice(i) : line.slice(i, hash);
    return text.includes(": ") || text.trimEnd().endsWith(":");
  }

  /**
   * A quoted scalar from `at` (the quote), closed on this line or a later one. Its lines fold as
   * YAML's flow scalars do: blanks around a line break go, a break is a space, blank lines are
   * breaks. Edge cases (an empty first or last line, an escaped line break) go to the package.
   */
  private quoted(line: string, at: number, indent: number): Scalar<string> {
    const quote = line[at]!;
    let close = closingQuote(line, at + 1, quote);
    let value: string;
    let last = line;
    if (close >= 0) {
      value = unescapeQuoted(line.slice(at + 1, close), quote);
    } else {
      value = this.quotedSegment(line.slice(at + 1).trimEnd(), quote);
      let blank = 0;
      for (;;) {
        this.pos++;
        last = this.lines[this.pos] ?? bail();
        const from = indentOf(last);
        if (from === last.length) {
          blank++;
          continue;
        }
        if (from <= indent || isDocumentMarker(last)) bail();
        close = closingQuote(last, from, quote);
        const text = close < 0 ? last.slice(from).trimEnd() : last.slice(from, close);
        value += (blank === 0 ? " " : "\n".repeat(blank)) + this.quotedSegment(text, quote);
        blank = 0;
        if (close >= 0) break;
      }
    }
    if (!endsCleanly(last.slice(close + 1))) bail();
    this.pos++;
    this.noContinuation(indent);
    return scalar(value, quoteType(quote));
  }

  /** One line's text of a quoted scalar over several lines. */
  private quotedSegment(text: string, quote: string): string {
    if (text === "" || (quote === '"' && text.endsWith("\\"))) bail();
    return unescapeQuoted(text, quote);
  }

  /** After a quoted or flow value, a more indented line would be an error: the package says so. */
  private noContinuation(indent: number): void {
    if (this.nextIndent() > indent) bail();
  }

  /** A plain scalar's following lines, folded as YAML does (a break is a space, blank lines breaks). */
  private plainContinuation(first: string, indent: number): string {
    let out = first;
    for (;;) {
      let blank = 0;
      let i = this.pos;
      while (i < this.lines.length && indentOf(this.lines[i]!) === this.lines[i]!.length) {
        blank++;
        i++;
      }
      if (i >= this.lines.length) return out;
      const line = this.lines[i]!;
      const at = indentOf(line);
      if (at <= indent || isDocumentMarker(line)) return out;
      if (line[at] === "#") bail();
      const text = plainLine(line, at);
      if (line.includes(" #", at)) bail();
      out += blank === 0 ? " " + text : "\n".repeat(blank) + text;
      this.pos = i + 1;
    }
  }

  /** A literal block scalar (`|`, `|-`, `|+`) whose header is at `at`. */
  private literal(line: string, at: number, indent: number): Scalar<string> {
    const chomp = line[at + 1] === "-" || line[at + 1] === "+" ? line[at + 1]! : "";
    if (!endsCleanly(line.slice(at + 1 + chomp.length))) bail();
    this.pos++;
    const start = this.pos;
    while (this.pos < this.lines.length && indentOf(this.lines[this.pos]!) === this.lines[this.pos]!.length)
      this.pos++;
    if (this.pos >= this.lines.length) bail();
    const content = indentOf(this.lines[this.pos]!);
    if (content <= indent) bail();
    for (let i = start; i < this.pos; i++) if (this.lines[i]!.length > content) bail();
    const body: string[] = Array<string>(this.pos - start).fill("");
    let end = this.pos;
    for (let i = this.pos; i < this.lines.length; i++) {
      const l = this.lines[i]!;
      const blank = indentOf(l) === l.length;
      if (blank) {
        if (l.length > content) bail();
        body.push("");
        continue;
      }
      if (indentOf(l) < content) break;
      body.push(l.slice(content));
      end = i + 1;
    }
    const trailing = body.length - (end - start);
    this.pos = end;
    const lines = body.slice(0, end - start);
    let value = lines.join("\n");
    if (chomp === "") value += "\n";
    else if (chomp === "+") value += "\n" + "\n".repeat(trailing);
    return scalar(value, "BLOCK_LITERAL");
  }
}
