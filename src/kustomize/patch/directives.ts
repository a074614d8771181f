import { isMap, isSeq, type Node as YamlNode } from "yaml";
import { fieldOf, keysOf, removeField, textOf } from "./nodes.js";

/** A strategic-merge-patch directive (`$patch`) found on a patch node. */
export type SmpDirective = "merge" | "replace" | "delete";

/** The key kyaml recognises as a patch directive. */
export const PATCH_KEY = "$patch";

function parseDirective(value: string): SmpDirective {
  if (value === "merge" || value === "replace" || value === "delete") return value;
  throw new Error(`unknown patch strategy '${value}'`);
}

/**
 * Reads the `$patch` directive of a patch node and removes it from the node, as kyaml does before
 * merging. For a map the directive is its own `$patch` key; for a list it is an element that holds
 * only `$patch` (an element with more keys is a per-element directive, handled when that element
 * is merged). Scalars carry no directive. It exists so the merge walker sees clean patch nodes.
 */
export function takeDirective(patch: YamlNode | undefined): SmpDirective {
  if (isMap(patch)) {
    const value = fieldOf(patch, PATCH_KEY);
    if (value === undefined) return "merge";
    const directive = parseDirective(textOf(value) ?? "");
    removeField(patch, PATCH_KEY);
    return directive;
  }
  if (isSeq(patch)) {
    const holder = patch.items.find((e) => isMap(e) && fieldOf(e, PATCH_KEY) !== undefined);
    if (!isMap(holder) || keysOf(holder).length > 1) return "merge";
    const text = textOf(fieldOf(holder, PATCH_KEY)) ?? "";
    const directive = parseDirective(text);
    // kyaml removes every element that carries the same directive (and, in passing, empty ones).
    patch.items = patch.items.filter((e) => !(isMap(e) && textOf(fieldOf(e, PATCH_KEY)) === text));
    return directive;
  }
  return "merge";
}
