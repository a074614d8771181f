import type { Scalar } from "yaml";
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
