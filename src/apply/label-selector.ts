/**
 * Kubernetes label selector strings (`app=web,tier!=db,env in (a,b),!legacy`), as used by
 * `spec.ignore[].target.labelSelector` and `annotationSelector`.
 */

/** One requirement of a selector. */
export interface Requirement {
  readonly key: string;
  readonly op: "=" | "!=" | "in" | "notin" | "exists" | "!" | "gt" | "lt";
  readonly values: readonly string[];
}

/** A malformed selector string. */
export class LabelSelectorError extends Error {
  override readonly name = "LabelSelectorError";
}

/** Splits on commas that are not inside parentheses. */
function splitTopLevel(s: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === "(") depth++;
    else if (s[i] === ")") depth--;
    else if (s[i] === "," && depth === 0) {
      parts.push(s.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(s.slice(start));
  return parts.map((p) => p.trim());
}

const KEY = String.raw`[A-Za-z0-9](?:[-A-Za-z0-9_./]*[A-Za-z0-9])?`;
const SET_RE = new RegExp(String.raw`^(${KEY})\s+(in|notin)\s*\(([^()]*)\)$`);
const CMP_RE = new RegExp(String.raw`^(${KEY})\s*(==|!=|=|>|<)\s*(.*)$`);
const EXISTS_RE = new RegExp(String.raw`^(!?)\s*(${KEY})$`);

const CMP_OPS: Readonly<Record<string, Requirement["op"]>> = {
  "=": "=",
  "==": "=",
  "!=": "!=",
  ">": "gt",
  "<": "lt",
};

function parseSet(text: string): Requirement | undefined {
  const m = SET_RE.exec(text);
  if (!m) return undefined;
  const values = (m[3] ?? "").split(",").map((v) => v.trim());
  return { key: m[1] ?? "", op: m[2] === "in" ? "in" : "notin", values };
}

function parseComparison(text: string, whole: string): Requirement | undefined {
  const m = CMP_RE.exec(text);
  if (!m) return undefined;
  const raw = m[3]?.trim() ?? "";
  const op = CMP_OPS[m[2] ?? "="] ?? "=";
  if ((op === "gt" || op === "lt") && !/^-?\d+$/.test(raw)) {
    throw new LabelSelectorError(`invalid label selector ${JSON.stringify(whole)}: ${raw} is not an integer`);
  }
  return { key: m[1] ?? "", op, values: [raw] };
}

function parseExists(text: string): Requirement | undefined {
  const m = EXISTS_RE.exec(text);
  return m ? { key: m[2] ?? "", op: m[1] === "!" ? "!" : "exists", values: [] } : undefined;
}

function parseOne(text: string, whole: string): Requirement {
  const r = parseSet(text) ?? parseComparison(text, whole) ?? parseExists(text);
  if (r === undefined) {
    throw new LabelSelectorError(
      `invalid label selector ${JSON.stringify(whole)}: cannot parse ${JSON.stringify(text)}`,
    );
  }
  return r;
}

/** Parses a selector; the empty string selects everything. */
export function parseLabelSelector(selector: string): Requirement[] {
  if (selector.trim() === "") return [];
  return splitTopLevel(selector).map((part) => parseOne(part, selector));
}

const isInt = (v: string | undefined): boolean => v !== undefined && /^-?\d+$/.test(v);

/** Per operator: does the label (present or not, value) satisfy the requirement? */
const OPS: Readonly<
  Record<Requirement["op"], (has: boolean, v: string | undefined, r: Requirement) => boolean>
> = {
  "=": (has, v, r) => has && v === r.values[0],
  "!=": (has, v, r) => !has || v !== r.values[0],
  in: (has, v, r) => has && r.values.includes(v ?? ""),
  notin: (has, v, r) => !has || !r.values.includes(v ?? ""),
  exists: (has) => has,
  "!": (has) => !has,
  gt: (has, v, r) => has && isInt(v) && Number(v) > Number(r.values[0]),
  lt: (has, v, r) => has && isInt(v) && Number(v) < Number(r.values[0]),
};

function matchOne(r: Requirement, labels: Readonly<Record<string, string>>): boolean {
  return OPS[r.op](Object.hasOwn(labels, r.key), labels[r.key], r);
}

/** True when every requirement holds for `labels`. */
export function matchesSelector(
  requirements: readonly Requirement[],
  labels: Readonly<Record<string, string>> | undefined,
): boolean {
  return requirements.every((r) => matchOne(r, labels ?? {}));
}
