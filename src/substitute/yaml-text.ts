/**
 * The YAML text form a resource takes during substitution, and the way it is read back.
 *
 * Flux substitutes on YAML produced from JSON (so source quoting is gone) and re-reads it with
 * YAML 1.1 rules: an unquoted `${replicas}` that expands to `3` becomes a number, `yes`/`on`
 * become booleans. Timestamps, sets and sexagesimal numbers stay strings as they do in Go's
 * decoder. Long lines are never folded, so an expression is never split across lines.
 */
import { parse, stringify, type Tags } from "yaml";

const DROPPED_TAGS = new Set([
  "tag:yaml.org,2002:timestamp",
  "tag:yaml.org,2002:binary",
  "tag:yaml.org,2002:set",
  "tag:yaml.org,2002:omap",
  "tag:yaml.org,2002:pairs",
]);

const tags = (all: Tags): Tags =>
  all.filter((t) => typeof t === "string" || (!DROPPED_TAGS.has(t.tag) && t.format !== "TIME"));

/** Serialises a resource for the text pass (strings that would re-read as non-strings are quoted). */
export function toYamlText(value: unknown): string {
  return stringify(value, {
    version: "1.1",
    customTags: tags,
    lineWidth: 0,
    singleQuote: false,
    aliasDuplicateObjects: false,
  });
}

/** Reads the substituted text back; throws on invalid YAML with the parser's message. */
export function fromYamlText(text: string): unknown {
  return parse(text, { version: "1.1", customTags: tags, uniqueKeys: false });
}
