/**
 * The YAML text form a resource takes during substitution, and the way it is read back.
 *
 * Flux substitutes on YAML produced from JSON by go-yaml v2 (so source quoting is gone) and
 * re-reads it with YAML 1.1 rules: an unquoted `${replicas}` that expands to `3` becomes a number,
 * `yes`/`on` become booleans. The quoting style of each string decides how a substituted value is
 * read (a backslash is literal in single quotes, an escape in double quotes), so strings are
 * quoted as go-yaml v2 quotes them: plain when possible, else single quotes, double quotes for
 * strings with tabs or control characters. Timestamps, sets and sexagesimal numbers stay strings
 * as in Go's decoder. Long lines are never folded, so an expression is never split.
 */
import { Document, isScalar, parse, Scalar, stringify, visit, type Tags } from "yaml";

const DROPPED_TAGS = new Set([
  "tag:yaml.org,2002:timestamp",
  "tag:yaml.org,2002:binary",
  "tag:yaml.org,2002:set",
  "tag:yaml.org,2002:omap",
  "tag:yaml.org,2002:pairs",
]);

const tags = (all: Tags): Tags =>
  all.filter((t) => typeof t === "string" || (!DROPPED_TAGS.has(t.tag) && t.format !== "TIME"));

const OPTIONS = {
  version: "1.1",
  customTags: tags,
  lineWidth: 0,
  singleQuote: true,
  aliasDuplicateObjects: false,
} as const;

/** Characters go-yaml v2 cannot print unescaped (it falls back to double quotes for them). */
// eslint-disable-next-line no-control-regex
const NON_PRINTABLE = /[\x00-\x09\x0b-\x1f\x7f-\x84\x86-\x9f\ufeff\ufffe\uffff]/;

/** Whether the yaml library would quote `s` on its own (so plain is not possible). */
const needsQuotes = (s: string): boolean => /^['"]/.test(stringify(s, OPTIONS));

function quoteLikeGoYaml(node: Scalar): void {
  const s = node.value;
  if (typeof s !== "string" || s.includes("\n")) return;
  if (NON_PRINTABLE.test(s)) node.type = Scalar.QUOTE_DOUBLE;
  else if (s.includes("'") && needsQuotes(s)) node.type = Scalar.QUOTE_SINGLE;
}

/** Serialises a resource for the text pass. */
export function toYamlText(value: unknown): string {
  const doc = new Document(value, OPTIONS);
  visit(doc, {
    Scalar: (_key, node) => quoteLikeGoYaml(node),
    Pair: (_key, pair) => {
      if (isScalar(pair.key)) quoteLikeGoYaml(pair.key);
    },
  });
  return doc.toString(OPTIONS);
}

/** Reads the substituted text back; throws on invalid YAML with the parser's message. */
export function fromYamlText(text: string): unknown {
  return parse(text, { version: "1.1", customTags: tags, uniqueKeys: false });
}
