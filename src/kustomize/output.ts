import { isMap, isScalar } from "yaml";
import { scalarText, type Resource } from "./resource.js";
import { toGoValue, type GoMap, type GoValue } from "./output/go-value.js";
import { marshalV2 } from "./output/go-yaml-v2.js";

/**
 * Prints resources exactly as `kubectl kustomize` does: each resource goes through kustomize's
 * JSON form and go-yaml v2, documents are joined with `---`. kustomize sets every resource's
 * annotations again as a string map during a build, so their values print as the text written in
 * the source (`1.0`, `yes`). Labels it sets again only in a few places (patches with a target,
 * generator merges: see patch/apply.ts copyMergeMetadata); elsewhere they keep their YAML type.
 */
export function render(resources: readonly Resource[]): string {
  return resources.map((r) => renderOne(r)).join("---\n");
}

/** One resource as kustomize prints it (no separator). */
export function renderOne(resource: Resource): string {
  const value = toGoValue(resource.node);
  if (!(value instanceof Map)) throw new Error("a resource must be a YAML mapping");
  stringifyAnnotations(resource, value);
  return marshalV2(value);
}

function stringifyAnnotations(resource: Resource, value: GoMap): void {
  const md = resource.metadata();
  const mdValue = value.get("metadata");
  if (!md || !(mdValue instanceof Map)) return;
  const node = md.items.find((p) => isScalar(p.key) && p.key.value === "annotations")?.value;
  if (!isMap(node)) return;
  const out: GoMap = new Map<string, GoValue>();
  for (const pair of node.items) out.set(scalarText(pair.key) ?? "", scalarText(pair.value) ?? "");
  mdValue.set("annotations", out);
}
