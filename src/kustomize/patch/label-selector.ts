/**
 * Kubernetes label-selector strings (`app=web,tier!=db`, `env in (a,b)`, `!legacy`), parsed the way
 * apimachinery's labels.Parse reads them. kustomize uses the same syntax for both label and
 * annotation selectors of patch targets and replacements. It exists so selection code only asks
 * `matches(map)`.
 */
export interface LabelSelector {
  matches(labels: ReadonlyMap<string, string>): boolean;
}

type Requirement = (labels: ReadonlyMap<string, string>) => boolean;

const KEY_RE = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const VALUE_RE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** Parses a selector; the empty string selects everything. Throws on malformed input. */
export function parseLabelSelector(text: string): LabelSelector {
  const requirements = splitTopLevel(text)
    .map((part) => part.trim())
    .filter((part) => part !== "")
    .map((part) => parseRequirement(part, text));
  return { matches: (labels) => requirements.every((r) => r(labels)) };
}

function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "(") depth++;
    else if (c === ")") depth--;
    else if (c === "," && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

function parseRequirement(part: string, whole: string): Requirement {
  const set = /^([^\s!=<>()]+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(part);
  if (set) {
    const key = checkKey(set[1]!, whole);
    const values = new Set(set[3]!.split(",").map((v) => checkValue(v.trim(), whole)));
    return set[2] === "in"
      ? (l) => l.has(key) && values.has(l.get(key)!)
      : (l) => !l.has(key) || !values.has(l.get(key)!);
  }
  const cmp = /^([^\s!=<>()]+)\s*(==|=|!=|<|>)\s*([^\s,()]*)$/.exec(part);
  if (cmp) return comparison(checkKey(cmp[1]!, whole), cmp[2]!, cmp[3]!, whole);
  const exists = /^(!?)\s*([^\s!=<>()]+)$/.exec(part);
  if (exists) {
    const key = checkKey(exists[2]!, whole);
    return exists[1] === "!" ? (l) => !l.has(key) : (l) => l.has(key);
  }
  throw new Error(`unable to parse requirement: found '${part}' in selector "${whole}"`);
}

function comparison(key: string, op: string, raw: string, whole: string): Requirement {
  if (op === "<" || op === ">") {
    if (!/^-?[0-9]+$/.test(raw)) throw new Error(`invalid integer value '${raw}' in selector "${whole}"`);
    const bound = Number(raw);
    return (l) => {
      const v = l.get(key);
      if (v === undefined || !/^-?[0-9]+$/.test(v)) return false;
      return op === "<" ? Number(v) < bound : Number(v) > bound;
    };
  }
  const value = checkValue(raw, whole);
  return op === "!=" ? (l) => l.get(key) !== value : (l) => l.get(key) === value;
}

function checkKey(key: string, whole: string): string {
  const name = key.includes("/") ? key.slice(key.indexOf("/") + 1) : key;
  if (!KEY_RE.test(key) || name.length > 63) throw new Error(`invalid label key "${key}" in selector "${whole}"`);
  return key;
}

function checkValue(value: string, whole: string): string {
  if (!VALUE_RE.test(value) || value.length > 63) throw new Error(`invalid label value: "${value}" in selector "${whole}"`);
  return value;
}
