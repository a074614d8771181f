import { isScalar } from "yaml";
import { gvkSelected, splitPath, walkPath } from "../fieldspec.js";
import type { FieldSpec } from "../kustomization.js";
import { newStringScalar, scalarText, setIn, type Resource } from "../resource.js";

/** Kinds whose names kustomize never prefixes or suffixes. */
const SKIPPED: Array<{ group?: string; kind: string }> = [
  { kind: "CustomResourceDefinition" },
  { group: "apiregistration.k8s.io", kind: "APIService" },
  { kind: "Namespace" },
];

/**
 * namePrefix / nameSuffix: adds the affix to each configured name field of every resource
 * (by its original type), remembering the affix and the previous id for reference fix-ups.
 */
export function addNameAffix(resources: Resource[], affix: string, where: "prefix" | "suffix", specs: readonly FieldSpec[]): void {
  for (const r of resources) {
    const org = r.origId().gvk;
    if (SKIPPED.some((s) => gvkSelected(org, s))) continue;
    for (const spec of specs) if (gvkSelected(org, spec)) affixOne(r, affix, where, spec);
  }
}

function affixOne(r: Resource, affix: string, where: "prefix" | "suffix", spec: FieldSpec): void {
  if (spec.path === "metadata/name") {
    (where === "prefix" ? r.prefixes : r.suffixes).push(affix);
    if (affix !== "") r.rememberId();
  }
  walkPath(r.node, splitPath(spec.path), false, (parent, key, value) => {
    const text = isScalar(value) ? scalarText(value) : undefined;
    if (text === undefined) return;
    setIn(parent, key, newStringScalar(where === "prefix" ? affix + text : text + affix));
  });
}
