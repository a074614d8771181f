/**
 * Issue 18: an error row of the fidelity corpus passes only when the engine fails for the same
 * cause as kustomize. The two engines word their errors differently (kustomize wraps each cause
 * in a chain of prefixes and prints Go values), so both messages are reduced to a cause: a class
 * and, where the class names one, the subject it is about (the missing file, the duplicated
 * resource, the rejected field). Rules are tried in order; the first that matches decides, so a
 * specific cause comes before a generic one.
 */

/** The reduced cause of an error message. */
export interface ErrorCause {
  /** A short class name, e.g. `missing-file`. */
  readonly cause: string;
  /** What the cause is about, normalised so both engines' spellings compare equal. */
  readonly subject?: string;
}

interface CauseRule {
  readonly cause: string;
  readonly pattern: RegExp;
  /** Turns the match into the subject; absent when the class alone is the cause. */
  readonly subject?: (m: RegExpMatchArray, message: string) => string | undefined;
}

const base = (p: string): string => p.replace(/\/+$/, "").split("/").pop() ?? p;

/**
 * `Kind/name` of the first resource id in a message, written either as kustomize writes ids
 * (`StatefulSet.v1.apps/my-sts.[noNs]`, `resid.ResId{...Kind:"Secret"...Name:"test"...}`) or as
 * the engine writes them (`apps_v1_StatefulSet|~X|my-sts`).
 */
export function resIdSubject(message: string): string | undefined {
  const go = /Kind:\\?"([^"\\]+)\\?".*?Name:\\?"([^"\\]*)\\?"/.exec(message);
  if (go) return `${go[1]}/${go[2]}`;
  const ours = /(?:^|[\s'"(])[^\s_|'"]*_[^\s_|]*_([A-Za-z0-9]+)\|[^|\s]*\|([^\s,'")]+)/.exec(message);
  if (ours) return `${ours[1]}/${ours[2]}`;
  const theirs = /([A-Z][A-Za-z0-9]*)\.[^\s/]*\/([^\s,'"]+?)\.(?:\[noNs\]|[a-z0-9-]+)(?=[\s,'";)\]]|$)/.exec(message);
  return theirs ? `${theirs[1]}/${theirs[2]}` : undefined;
}

const RULES: readonly CauseRule[] = [
  // kustomize v5.5.0 dereferences nil here; the engine refuses the input with its own message.
  { cause: "reference-panic", pattern: /^panic: |kustomize v5\.5 panics/ },
  { cause: "empty-kustomization", pattern: /kustomization\.yaml is empty/ },
  { cause: "unknown-field", pattern: /unknown field "([^"]+)/, subject: (m) => m[1] },
  // Before not-a-directory: kustomize appends its second try (the path as a directory) to the cause.
  { cause: "duplicate-id", pattern: /may not add resource with an already registered id/, subject: (_m, msg) => resIdSubject(msg) },
  { cause: "empty-root", pattern: /new root cannot be empty/ },
  { cause: "missing-kustomization", pattern: /unable to find one of 'kustomization\.yaml'/ },
  { cause: "not-a-directory", pattern: /must build at directory: '([^']+)': file is not directory/, subject: (m) => base(m[1]!) },
  {
    cause: "missing-file",
    pattern: /evalsymlink failure on '([^']+)'|'([^']+)' does not exist/,
    subject: (m) => base(m[1] ?? m[2]!),
  },
  { cause: "outside-root", pattern: /security; file '([^']+)' is not in or below/, subject: (m) => base(m[1]!) },
  { cause: "duplicate-key", pattern: /mapping key "([^"]+)" already defined|duplicate key "([^"]+)"/, subject: (m) => m[1] ?? m[2] },
  { cause: "malformed-yaml", pattern: /MalformedYAMLError|malformed YAML|invalid YAML|yaml: line \d+/ },
  { cause: "blank-namespace", pattern: /namespace is blank for resource/, subject: (_m, msg) => resIdSubject(msg) },
  { cause: "generator-exists", pattern: /exists; (?:can not use behavior: '\w+', )?behavior must be merge or replace/, subject: (_m, msg) => resIdSubject(msg) },
  { cause: "component-expected", pattern: /expected kind 'Component' for path '([^']+)'/, subject: (m) => base(m[1]!) },
  { cause: "component-in-resources", pattern: /expected kind != 'Component' for path '([^']+)'/, subject: (m) => base(m[1]!) },
  { cause: "component-api-version", pattern: /apiVersion for Component should be/ },
  { cause: "patch-both-sm-and-json", pattern: /illegally qualifies as both an SM and JSON patch: \[(?:path|patch): "([^"]*)/, subject: (m) => m[1] },
  { cause: "patch-unparseable", pattern: /unable to parse SM or JSON patch from \[(path|patch): /, subject: (m) => m[1] },
  { cause: "patch-empty", pattern: /patch appears to be empty/ },
  { cause: "json-patch-without-target", pattern: /must specify a target for JSON patch \[(?:path|patch): "([^"]*)/, subject: (m) => m[1] },
  { cause: "patch-target-ambiguous", pattern: /multiple matches for Id (\S+?);/, subject: (m) => m[1] },
  { cause: "patch-target-missing", pattern: /no matches for Id (\S+?);/, subject: (m) => m[1] },
  { cause: "ambiguous-referral", pattern: /found multiple possible referrals/ },
  { cause: "ambiguous-var", pattern: /resId matches for var \{?([^\s{}(]+)/, subject: (m) => m[1] },
  { cause: "duplicate-var", pattern: /var '([^']+)' already encountered/, subject: (m) => m[1] },
  { cause: "invalid-field", pattern: /the field '([^']+)' (?:must be|is set but)/, subject: (m) => m[1] },
  { cause: "replacement-file-type", pattern: /unsupported replacement type encountered within replacement path: (\w+)/, subject: (m) => m[1] },
  { cause: "generator-missing", pattern: /does not exist; cannot merge or replace/, subject: (_m, msg) => resIdSubject(msg) },
  { cause: "generator-repeated-key", pattern: /configmap (\S+) illegally repeats the key `([^`]*)`/, subject: (m) => `${m[1]}/${m[2]}` },
  { cause: "delimiter-index", pattern: /options\.index (-?\d+) is out of bounds for value/, subject: (m) => m[1] },
  { cause: "replacement-nothing-selected", pattern: /nothing selected by (\S+?)(?::|\s|$)/, subject: (m) => m[1] },
  { cause: "replacement-source-field-missing", pattern: /fieldPath `([^`]*)` is missing for replacement source/, subject: (m) => m[1] },
  { cause: "replicas-kind", pattern: /resource with name (\S+) does not match a config with the following GVK/, subject: (m) => m[1] },
  { cause: "replacement-target-field-missing", pattern: /unable to find field \\?"([^"\\]*)\\?" in replacement target/, subject: (m) => m[1] },
  { cause: "json-patch-path-missing", pattern: /doc is missing path: \\?"([^"\\]*)/, subject: (m) => m[1] },
  { cause: "replacement-multiple-sources", pattern: /multiple matches for selector (\S+?)(?::|\s|$)/, subject: (m) => m[1] },
  { cause: "builtin-plugin", pattern: /unable to load builtin (\w+)/, subject: (m) => m[1] },
  // Found by the public corpus (test/kustomize-corpus-public).
  { cause: "multiple-kustomizations", pattern: /[Ff]ound multiple kustomization files/ },
  { cause: "replacement-selects-nothing", pattern: /nothing selected by ([^\s:]+)/, subject: (m) => m[1] },
];

/** The cause of an error message, or undefined when no rule knows it. */
export function errorCause(message: string): ErrorCause | undefined {
  for (const rule of RULES) {
    const m = message.match(rule.pattern);
    if (!m) continue;
    const subject = rule.subject?.(m, message);
    return subject === undefined ? { cause: rule.cause } : { cause: rule.cause, subject };
  }
  return undefined;
}

/** Prints a cause as `class` or `class (subject)`. */
export function describeCause(c: ErrorCause | undefined): string {
  if (!c) return "an unclassified error";
  return c.subject === undefined ? c.cause : `${c.cause} (${c.subject})`;
}

/**
 * Whether the engine's error has kustomize's cause. An expected message no rule knows fails the
 * comparison: a new corpus row with a new cause needs a rule, not a pass on any error.
 */
export function sameCause(expected: string, actual: string): { same: boolean; expected?: ErrorCause; actual?: ErrorCause } {
  const want = errorCause(expected);
  const got = errorCause(actual);
  // Where kustomize panics (a nil dereference, README of the corpus) there is no cause to match:
  // failing at all is the reference's outcome.
  const same =
    want?.cause === "reference-panic" ||
    (want !== undefined && got !== undefined && want.cause === got.cause && want.subject === got.subject);
  return { same, ...(want ? { expected: want } : {}), ...(got ? { actual: got } : {}) };
}
