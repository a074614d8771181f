/**
 * Drift detection (flux-compat §4.2): compare the live object with the server-side dry-run of
 * the desired one; apply only when they differ, so an unchanged object keeps its resourceVersion.
 */
import { isJsonObject, type JsonObject } from "../util/kube-object.js";

export { escapePointer, removeAtPointer } from "./json-pointer.js";
import { removeAtPointer } from "./json-pointer.js";
import { jsonEqual, stringMapEqual } from "./semantic-equal.js";
import type { ChangeSetAction } from "./changeset.js";
import type { KubeObject } from "./types.js";

/** HPAs from a dry-run can repeat their first metric and gain an empty one (kubernetes#118293). */
function dedupeHpaMetrics(o: JsonObject): void {
  const spec = o.spec;
  if (!isJsonObject(spec) || !Array.isArray(spec.metrics)) return;
  const kept: unknown[] = [];
  for (const m of spec.metrics as unknown[]) {
    const typed = isJsonObject(m) && typeof m.type === "string" && m.type !== "";
    if (typed && !kept.some((k) => jsonEqual(k, m))) kept.push(m);
  }
  spec.metrics = kept;
}

/** The object minus `metadata`, `status` and the ignored paths, as compared for drift. */
function comparable(obj: KubeObject, ignorePaths: readonly string[]): JsonObject {
  const copy: JsonObject = structuredClone(obj);
  delete copy.metadata;
  delete copy.status;
  if (obj.kind === "HorizontalPodAutoscaler" && obj.apiVersion === "autoscaling/v2") dedupeHpaMetrics(copy);
  for (const p of ignorePaths) removeAtPointer(copy, p);
  return copy;
}

/**
 * Whether applying `dryRun` would change `live`: the dry-run has no resourceVersion (it would be
 * created), or labels, annotations, or anything outside metadata and status differ. Paths in
 * `ignorePaths` (JSON pointers from `spec.ignore` rules that select this object) are left out.
 */
export function hasDrifted(
  live: KubeObject | undefined,
  dryRun: KubeObject,
  ignorePaths: readonly string[] = [],
): boolean {
  if (!dryRun.metadata.resourceVersion || live === undefined) return true;
  if (!stringMapEqual(dryRun.metadata.labels, live.metadata.labels)) return true;
  if (!stringMapEqual(dryRun.metadata.annotations, live.metadata.annotations)) return true;
  return !jsonEqual(comparable(dryRun, ignorePaths), comparable(live, ignorePaths));
}

/**
 * The change-set action after the dry-run: `unchanged` (no apply) unless drifted or a cleanup
 * patch was sent; then `created` when the dry-run had no resourceVersion, else `configured`.
 */
export function driftAction(
  live: KubeObject | undefined,
  dryRun: KubeObject,
  patched: boolean,
  ignorePaths: readonly string[] = [],
): ChangeSetAction {
  if (!patched && !hasDrifted(live, dryRun, ignorePaths)) return "unchanged";
  return dryRun.metadata.resourceVersion ? "configured" : "created";
}
