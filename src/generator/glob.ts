/**
 * The two glob dialects source-watcher's copy operations use, over `/`-separated relative paths:
 *
 * - {@link fsGlob}: Go's `fs.Glob` (`path.Match` per segment). `*` and `?` never cross a `/`, and
 *   `**` is just `*`: `dir/**` selects the direct entries of `dir` (files and directories; a
 *   directory is then copied whole). This is what `from` means for the Overwrite and Merge
 *   strategies.
 * - {@link doublestarMatch} / {@link doublestarGlob}: doublestar v4, where a `**` segment spans
 *   any number of directories and `{a,b}` alternates. Used for `exclude` and for the Extract
 *   strategy's `from`.
 *
 * Character classes (`[a-z]`, `[^x]`, `[!x]`) and `\` escapes work in both.
 */
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";

/** A pattern that does not parse (Go: `path.ErrBadPattern`). */
export class BadPatternError extends Error {
  override readonly name = "BadPatternError";
  constructor(pattern: string) {
    super(`syntax error in pattern '${pattern}'`);
  }
}

/** True when `pattern` has glob metacharacters (source-watcher's test: any of `*?[]`). */
export function hasGlobChars(pattern: string): boolean {
  return /[*?[\]]/.test(pattern);
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");

/** Converts a `[...]` class starting at `i`; returns the regex source and the index after it. */
function charClass(segment: string, start: number, whole: string): { source: string; next: number } {
  let i = start + 1;
  let negate = false;
  if (segment[i] === "^" || segment[i] === "!") {
    negate = true;
    i++;
  }
  let body = "";
  let first = true;
  for (; i < segment.length && (segment[i] !== "]" || first); i++, first = false) {
    const c = segment[i] ?? "";
    if (c === "\\") {
      i++;
      body += escapeRegExp(segment[i] ?? "");
    } else if (c === "-" && !first && segment[i + 1] !== "]") body += "-";
    else body += escapeRegExp(c);
  }
  if (i >= segment.length || body === "") throw new BadPatternError(whole);
  return { source: `[${negate ? "^" : ""}${body}]`, next: i + 1 };
}

/** Converts `{a,b}` (doublestar only); returns the regex source and the index after it. */
function alternation(segment: string, start: number, whole: string): { source: string; next: number } {
  const end = segment.indexOf("}", start);
  if (end < 0) throw new BadPatternError(whole);
  const options = segment.slice(start + 1, end).split(",");
  return { source: `(?:${options.map((o) => segmentSource(o, true, whole)).join("|")})`, next: end + 1 };
}

/** The regex source of one path segment pattern. */
function segmentSource(segment: string, braces: boolean, whole: string): string {
  let out = "";
  for (let i = 0; i < segment.length;) {
    const c = segment[i] ?? "";
    if (c === "*") {
      out += "[^/]*";
      i++;
    } else if (c === "?") {
      out += "[^/]";
      i++;
    } else if (c === "[") {
      const cls = charClass(segment, i, whole);
      out += cls.source;
      i = cls.next;
    } else if (c === "{" && braces) {
      const alt = alternation(segment, i, whole);
      out += alt.source;
      i = alt.next;
    } else if (c === "\\") {
      if (i + 1 >= segment.length) throw new BadPatternError(whole);
      out += escapeRegExp(segment[i + 1] ?? "");
      i += 2;
    } else if (c === "]") {
      throw new BadPatternError(whole);
    } else {
      out += escapeRegExp(c);
      i++;
    }
  }
  return out;
}

const segmentCache = new Map<string, RegExp>();

function segmentRegExp(segment: string, braces: boolean, whole: string): RegExp {
  const key = `${braces ? "d" : "g"}:${segment}`;
  let re = segmentCache.get(key);
  if (re === undefined) {
    re = new RegExp(`^${segmentSource(segment, braces, whole)}$`);
    if (segmentCache.size > 1000) segmentCache.clear();
    segmentCache.set(key, re);
  }
  return re;
}

/** Go's `path.Match` for one segment. Throws {@link BadPatternError}. */
export function matchSegment(pattern: string, name: string): boolean {
  return segmentRegExp(pattern, false, pattern).test(name);
}

/** Checks that a doublestar pattern parses. Throws {@link BadPatternError}. */
export function validateDoublestar(pattern: string): void {
  for (const s of pattern.split("/")) if (s !== "**") segmentRegExp(s, true, pattern);
}

function matchParts(pattern: readonly string[], path: readonly string[], whole: string): boolean {
  if (pattern.length === 0) return path.length === 0;
  const [head = "", ...rest] = pattern;
  if (head === "**") {
    for (let i = 0; i <= path.length; i++) if (matchParts(rest, path.slice(i), whole)) return true;
    return false;
  }
  const [first, ...others] = path;
  return (
    first !== undefined && segmentRegExp(head, true, whole).test(first) && matchParts(rest, others, whole)
  );
}

/** doublestar's `Match`: `**` spans directories, `{a,b}` alternates. Throws {@link BadPatternError}. */
export function doublestarMatch(pattern: string, path: string): boolean {
  return matchParts(pattern.split("/"), path.split("/"), pattern);
}

async function isDir(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isDirectory() === true;
}

async function entries(root: string, dir: string): Promise<string[]> {
  const names = await readdir(join(root, dir)).catch(() => [] as string[]);
  return names.sort();
}

/**
 * Go's `fs.Glob` under `root`: matches in lexical order per directory, `/`-separated, relative to
 * root. A pattern without metacharacters matches itself when it exists.
 */
export async function fsGlob(root: string, pattern: string): Promise<string[]> {
  if (!hasGlobChars(pattern)) {
    return (await stat(join(root, pattern)).catch(() => undefined)) === undefined ? [] : [pattern];
  }
  const slash = pattern.lastIndexOf("/");
  const dir = slash < 0 ? "." : pattern.slice(0, slash);
  const file = pattern.slice(slash + 1);
  matchSegment(file, "");
  const dirs = hasGlobChars(dir) ? await fsGlob(root, dir) : [dir];
  const out: string[] = [];
  for (const d of dirs) {
    if (!(await isDir(join(root, d)))) continue;
    for (const name of await entries(root, d)) {
      if (matchSegment(file, name)) out.push(d === "." ? name : `${d}/${name}`);
    }
  }
  return out;
}

/** doublestar's `Glob` under `root`: every file and directory whose relative path matches. */
export async function doublestarGlob(root: string, pattern: string): Promise<string[]> {
  validateDoublestar(pattern);
  const out: string[] = [];
  const visit = async (dir: string): Promise<void> => {
    for (const name of await entries(root, dir)) {
      const rel = dir === "" ? name : `${dir}/${name}`;
      if (doublestarMatch(pattern, rel)) out.push(rel);
      if (await isDir(join(root, rel))) await visit(rel);
    }
  };
  await visit("");
  return out;
}
