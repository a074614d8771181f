import path from "node:path";
import { isMap } from "yaml";
import { isNullScalar } from "./patch/nodes.js";
import { deleteIn, getIn, getMapPath, newStringScalar, setIn, type Resource } from "./resource.js";

/**
 * Where a resource came from or which transformer touched it (kustomize's buildMetadata
 * `originAnnotations` and `transformerAnnotations`). Paths are relative to the top kustomization.
 */
export interface Origin {
  path?: string;
  configuredIn?: string;
  configuredBy?: { apiVersion: string; kind: string; name?: string; namespace?: string };
}

/** Annotation kustomize writes a resource's origin into. */
export const ORIGIN_ANNOTATION = "config.kubernetes.io/origin";
/** Annotation kustomize writes the list of transformers into. */
export const TRANSFORMATIONS_ANNOTATION = "alpha.config.kubernetes.io/transformations";

/** Joins origin paths the way Go's filepath.Join does (cleaned, "" parts skipped). */
export function joinOrigin(...parts: string[]): string {
  const kept = parts.filter((p) => p !== "");
  return kept.length === 0 ? "" : path.posix.normalize(kept.join("/"));
}

function originLines(o: Origin, indent: string): string[] {
  const lines: string[] = [];
  if (o.path) lines.push(`path: ${o.path}`);
  if (o.configuredIn) lines.push(`configuredIn: ${o.configuredIn}`);
  const by = o.configuredBy;
  if (by) {
    lines.push("configuredBy:", `  apiVersion: ${by.apiVersion}`, `  kind: ${by.kind}`);
    if (by.name) lines.push(`  name: ${by.name}`);
    if (by.namespace) lines.push(`  namespace: ${by.namespace}`);
  }
  return lines.map((l, i) => (i === 0 ? l : indent + l));
}

/** Records a transformer on a resource (or makes it the origin when the resource has none). */
export function addTransformation(r: Resource, o: Origin): void {
  if (!r.originInfo) r.originInfo = o;
  else r.transformations.push(o);
}

/** Writes the requested build-metadata annotations into the resource (end of the build). */
export function writeOriginAnnotations(r: Resource, keepOrigin: boolean, keepTransformations: boolean): void {
  const annotate = (key: string, text: string): void => setIn(getMapPath(r.node, ["metadata", "annotations"], true)!, key, newStringScalar(text));
  if (keepOrigin && r.originInfo) annotate(ORIGIN_ANNOTATION, originLines(r.originInfo, "").join("\n") + "\n");
  if (keepTransformations && r.transformations.length > 0) {
    annotate(TRANSFORMATIONS_ANNOTATION, r.transformations.map((o) => "- " + originLines(o, "  ").join("\n") + "\n").join(""));
  }
}

/**
 * kustomize keeps internal annotations on every resource until the end of a build and then clears
 * them with kyaml's AnnotationClearer, which removes `metadata.annotations` once it is empty: an
 * input's `annotations: {}` or `annotations: null` does not survive a build (issue 18).
 */
export function dropEmptyAnnotations(r: Resource): void {
  const md = getIn(r.node, "metadata");
  if (!isMap(md)) return;
  const a = getIn(md, "annotations");
  if (a === undefined || (isMap(a) && a.items.length > 0)) return;
  if (isMap(a) || isNullScalar(a)) deleteIn(md, "annotations");
}
