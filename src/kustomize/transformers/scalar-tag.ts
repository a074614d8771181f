import { isScalar, visit, type Node as YamlNode, type Scalar } from "yaml";
import { v2NeedsQuotes } from "../output/scalar.js";
import { resolvePlain } from "../output/go-value.js";

/** The YAML core tag of a scalar, as yaml.v3 assigns it when kustomize parses a resource. */
export type ScalarTag = "str" | "int" | "float" | "bool" | "null" | "timestamp";

/**
 * The tag yaml.v3 gives a scalar node: quoted and block scalars, and new string scalars, are
 * strings; plain scalars are resolved (null, bool, int, float, timestamp, else string). It exists
 * because kustomize's vars and replacements act on tags (only strings are expanded; a copied value
 * keeps the target's tag) while our nodes keep text and style.
 */
export function scalarTag(node: Scalar): ScalarTag {
  const v = node.value;
  if (v === null || v === undefined) return "null";
  if (typeof v === "boolean") return "bool";
  if (typeof v === "number") return Number.isInteger(v) ? "int" : "float";
  if (typeof v !== "string") return "str";
  if (node.type !== "PLAIN") return "str";
  return plainTag(v);
}

/** The tag a plain scalar with this text resolves to. */
export function plainTag(text: string): ScalarTag {
  const v = resolvePlain(text);
  if (v === null) return "null";
  if (typeof v === "boolean") return "bool";
  if (typeof v === "bigint") return "int";
  if (typeof v === "number") return "float";
  if (typeof v === "string" && v !== text) return "timestamp";
  return "str";
}

/**
 * Scalars a replacement created (`options.create`): kyaml leaves their tag empty, so the output
 * resolves their text (`80` is a number) until kyaml's FieldSetter meets them in a strategic merge
 * walk, which double-quotes an untagged value that YAML 1.1 would not read as a string (issue 18).
 */
const tagless = new WeakSet<Scalar>();
let taglessCount = 0;

/** Marks a scalar as untagged (see above) and returns it. */
export function markTagless(node: Scalar): Scalar {
  tagless.add(node);
  taglessCount++;
  return node;
}

/** Whether a scalar is untagged (see markTagless). */
export function isTagless(node: YamlNode): boolean {
  return isScalar(node) && tagless.has(node);
}

/** What a strategic merge walk does to the untagged scalars of a resource (see markTagless). */
export function quoteTaglessNonStrings(root: YamlNode): void {
  if (taglessCount === 0) return;
  visit(root, {
    Scalar(_key, node) {
      if (!tagless.has(node) || node.type !== "PLAIN" || typeof node.value !== "string") return;
      const text = node.value;
      if (text === "" || text.includes("\n") || !v2NeedsQuotes(text)) return;
      node.type = "QUOTE_DOUBLE";
      tagless.delete(node);
    },
  });
}
