import { isMap, isScalar } from "yaml";
import { scalarText, type Resource } from "./resource.js";
import { toGoValue, type GoMap, type GoValue } from "./output/go-value.js";
import { marshalV2 } from "./output/go-yaml-v2.js";

/**
 * Prints resources exactly as `kubectl kustomize` does: each resource goes through kustomize's
 * JSON form and go-yaml v2, documents are joined with `---`. Labels and annotations are string
 * maps in kustomize, so their values print as the text written in the source (`1.0`, `yes`).
 */
export function render(resources: readonly Resource[]): string {
  return resources.map((r) => renderOne(r)).join("---\n");
}

/** One resource as kustomize prints it (no separator). */
export function renderOne(resource: Resource): string {
  const value = toGoValue(resource.node);
  if (!(value instanceof Map)) throw new Error("a resource must be a YAML mapping");
  stringifyMetaMaps(resource, value);
  return marshalV2(value);
}

function stringifyMetaMaps(resource: Resource, value: GoMap): void {
  const md = resource.metadata();
  const mdValue = value.get("metadata");
  if (!md || !(mdValue instanceof Map)) return;
  for (const field of ["labels", "annotations"]) {
    const node = md.items.find((p) => isScalar(p.key) && p.key.value === field)?.value;
    if (!isMap(node)) continue;
    const out: GoMap = new Map<string, GoValue>();
    for (const pair of node.items) out.set(scalarText(pair.key) ?? "", scalarText(pair.value) ?? "");
    mdValue.set(field, out);
  }
}
