/**
 * Shell-style pattern matching for the `#`, `##`, `%` and `%%` trims of post-build substitution.
 *
 * Flux matches with a variant of Go's `path.Match` in which a star and `?` also match a slash, so
 * stripping everything up to the last slash works on paths. Matching is greedy per star, without full backtracking, exactly
 * like that variant, so patterns that behave oddly there behave the same here.
 */

/** Thrown for a malformed pattern; callers treat it as "no trim". */
export class BadPatternError extends Error {
  override readonly name = "BadPatternError";
  constructor() {
    super("syntax error in pattern");
  }
}

interface Chunk {
  readonly star: boolean;
  readonly chunk: string;
  readonly rest: string;
}

/** Splits off the next literal/class/`?` run, noting whether stars preceded it. */
function scanChunk(pattern: string): Chunk {
  let p = pattern;
  let star = false;
  while (p.startsWith("*")) {
    p = p.slice(1);
    star = true;
  }
  let inRange = false;
  let i = 0;
  for (; i < p.length; i++) {
    const c = p[i];
    if (c === "\\") {
      if (i + 1 < p.length) i++;
    } else if (c === "[") {
      inRange = true;
    } else if (c === "]") {
      inRange = false;
    } else if (c === "*" && !inRange) {
      break;
    }
  }
  return { star, chunk: p.slice(0, i), rest: p.slice(i) };
}

interface Esc {
  readonly char: string;
  readonly rest: string;
}

/** Reads one possibly escaped character inside a `[...]` class. */
function getEsc(chunk: string): Esc {
  let c = chunk;
  if (c === "" || c[0] === "-" || c[0] === "]") throw new BadPatternError();
  if (c[0] === "\\") {
    c = c.slice(1);
    if (c === "") throw new BadPatternError();
  }
  const char = String.fromCodePoint(c.codePointAt(0) ?? 0);
  const rest = c.slice(char.length);
  if (rest === "") throw new BadPatternError();
  return { char, rest };
}

interface ClassMatch {
  readonly matched: boolean;
  readonly rest: string;
}

/** Reads the inclusive range `lo` or `lo-hi` at the start of a class body. */
function readRange(chunk: string): { lo: number; hi: number; rest: string } {
  const lo = getEsc(chunk);
  const hi = lo.rest.startsWith("-") ? getEsc(lo.rest.slice(1)) : lo;
  return { lo: lo.char.codePointAt(0) ?? 0, hi: hi.char.codePointAt(0) ?? 0, rest: hi.rest };
}

interface ClassMatch {
  readonly matched: boolean;
  readonly rest: string;
}

/** Matches one character against the class at the start of `chunk` (after `[`). */
function matchClass(chunk: string, ch: string): ClassMatch {
  const negated = chunk.startsWith("^");
  let c = negated ? chunk.slice(1) : chunk;
  const code = ch.codePointAt(0) ?? 0;
  let match = false;
  for (let ranges = 0; !(c.startsWith("]") && ranges > 0); ranges++) {
    const r = readRange(c);
    if (r.lo <= code && code <= r.hi) match = true;
    c = r.rest;
  }
  return { matched: match !== negated, rest: c.slice(1) };
}

/** Matches one literal, `?` or class at the start of `chunk`; returns what is left of both. */
function matchOne(chunk: string, s: string): { chunk: string; rest: string } | undefined {
  const head = String.fromCodePoint(s.codePointAt(0) ?? 0);
  if (chunk[0] === "[") {
    const r = matchClass(chunk.slice(1), head);
    return r.matched ? { chunk: r.rest, rest: s.slice(head.length) } : undefined;
  }
  if (chunk[0] === "?") return { chunk: chunk.slice(1), rest: s.slice(head.length) };
  const literal = chunk[0] === "\\" ? chunk.slice(1) : chunk;
  if (literal === "") throw new BadPatternError();
  return literal[0] === s[0] ? { chunk: literal.slice(1), rest: s.slice(1) } : undefined;
}

/** Matches `chunk` against the start of `s`; returns the rest of `s` or undefined. */
function matchChunk(chunk: string, s: string): string | undefined {
  let state: { chunk: string; rest: string } | undefined = { chunk, rest: s };
  while (state.chunk !== "") {
    if (state.rest === "") return undefined;
    state = matchOne(state.chunk, state.rest);
    if (state === undefined) return undefined;
  }
  return state.rest;
}

/** Tries `chunk` at every position after a star; returns the remaining name or undefined. */
function matchAfterStar(chunk: string, name: string, last: boolean): string | undefined {
  for (let i = 0; i < name.length; i++) {
    const t = matchChunk(chunk, name.slice(i + 1));
    if (t !== undefined && !(last && t.length > 0)) return t;
  }
  return undefined;
}

/**
 * Reports whether `name` matches the whole shell `pattern` (`*`, `?`, `[a-z]`, `[^x]`, `\c`).
 * Throws {@link BadPatternError} for malformed patterns, as Go does.
 */
export function globMatch(pattern: string, name: string): boolean {
  let p = pattern;
  let n = name;
  while (p !== "") {
    const { star, chunk, rest } = scanChunk(p);
    p = rest;
    if (star && chunk === "") return true;
    const here = tryChunk(chunk, n);
    if (here.rest !== undefined && (here.rest.length === 0 || p.length > 0)) {
      n = here.rest;
      continue;
    }
    if (here.error !== undefined) throw here.error;
    const after = star ? matchAfterStar(chunk, n, p.length === 0) : undefined;
    if (after === undefined) return false;
    n = after;
  }
  return n.length === 0;
}

/** matchChunk, with a bad pattern reported instead of thrown (Go checks the match first). */
function tryChunk(chunk: string, s: string): { rest?: string | undefined; error?: BadPatternError } {
  try {
    return { rest: matchChunk(chunk, s) };
  } catch (e) {
    if (e instanceof BadPatternError) return { error: e };
    throw e;
  }
}
