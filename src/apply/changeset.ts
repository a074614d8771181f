/**
 * Change sets: what apply and prune did to each object, and the `<Kind>/<ns>/<name> <action>`
 * lines Flux puts into events, logs and error messages (flux-compat §4.2).
 */
import { formatObjectRef, versionOf } from "../util/kube-object.js";
import { objectId } from "./inventory.js";
import { type KubeObject, type ObjMetadata, objMetadataOf } from "./types.js";

/** What happened to one object. */
export type ChangeSetAction = "created" | "configured" | "unchanged" | "deleted" | "skipped" | "unknown";

/** One object's outcome. */
export interface ChangeSetEntry {
  readonly object: ObjMetadata;
  /** API version without group. */
  readonly version: string;
  /** `<Kind>/<namespace>/<name>` (namespace omitted when cluster-scoped). */
  readonly subject: string;
  readonly action: ChangeSetAction;
}

/** An entry for an object (or a bare identity plus version) and an action. */
export function changeSetEntry(obj: KubeObject, action: ChangeSetAction): ChangeSetEntry {
  return entryFor(objMetadataOf(obj), versionOf(obj.apiVersion), action);
}

/** An entry for an identity and version, e.g. a stale inventory item being pruned. */
export function entryFor(object: ObjMetadata, version: string, action: ChangeSetAction): ChangeSetEntry {
  return { object, version, subject: formatObjectRef(object), action };
}

/** `Deployment/apps/web configured`. */
export function formatEntry(e: ChangeSetEntry): string {
  return `${e.subject} ${e.action}`;
}

/** One line per entry, in order. */
export function formatChangeSet(entries: readonly ChangeSetEntry[]): string {
  return entries.map(formatEntry).join("\n");
}

/** Whether an action changed the cluster (everything but `unchanged` and `skipped`). */
export function hasChanged(action: ChangeSetAction): boolean {
  return action !== "unchanged" && action !== "skipped";
}

/** The lines for changed entries only: the apply event's message ("" means no event). */
export function formatChanges(entries: readonly ChangeSetEntry[]): string {
  return formatChangeSet(entries.filter((e) => hasChanged(e.action)));
}

/**
 * The stale objects that are still there after a prune: anything not `deleted` or `skipped`
 * (skipped objects are no longer ours to track). They go back into the inventory.
 */
export function pruneSurvivors<T extends ObjMetadata>(
  stale: readonly T[],
  entries: readonly ChangeSetEntry[],
): T[] {
  const settled = new Set(
    entries.filter((e) => e.action === "deleted" || e.action === "skipped").map((e) => objectId(e.object)),
  );
  return stale.filter((o) => !settled.has(objectId(o)));
}
