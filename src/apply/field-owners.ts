/**
 * Who changed a drifted field (issue 20 item 2): the field managers of the live object, other than
 * mooring's own, whose managedFields own the field. When someone edits a field we applied, the API
 * server moves it to their manager (`kubectl-edit`, `kubectl-patch`, another controller), so the
 * live object names the culprit until our next apply takes the field back.
 */
import { isJsonObject, type JsonObject } from "../util/kube-object.js";
import { type ApplyFields, descend, fieldsPath } from "./drifted-paths.js";
import type { FieldChange } from "./field-changes.js";
import { lastManager } from "./cluster/fingerprint.js";
import { joinPointer } from "./json-pointer.js";
import type { KubeObject } from "./types.js";

/** Every main-resource managedFields entry (Apply and Update) except `ownManager`'s. */
function foreignEntries(live: KubeObject, ownManager: string): ApplyFields[] {
  return (live.metadata.managedFields ?? [])
    .filter((m) => (m.subresource ?? "") === "" && m.manager !== ownManager && isJsonObject(m.fieldsV1))
    .map((m) => ({ manager: m.manager ?? "", fields: m.fieldsV1 as JsonObject }));
}

const isLeaf = (node: JsonObject | undefined): boolean =>
  node !== undefined && Object.keys(node).length === 0;

/**
 * The managers owning one changed field: the exact field, or an enclosing value they own as a whole
 * (an atomic list or map). A field nobody owns any more (removed by an update) has no owner here.
 */
function ownersOf(live: KubeObject, change: FieldChange, entries: readonly ApplyFields[]): string[] {
  for (let n = change.segments.length; n > 0; n--) {
    const path = fieldsPath(live, joinPointer(change.segments.slice(0, n)), entries);
    if (path === undefined) continue;
    const full = n === change.segments.length;
    return entries
      .filter((e) => {
        const node = descend(e.fields, path);
        return node !== undefined && (full || isLeaf(node));
      })
      .map((e) => e.manager);
  }
  return [];
}

/** The drifted fields other managers own, and those managers. */
export interface DriftAttribution {
  /** The changes some manager other than ours owns. */
  readonly owned: FieldChange[];
  /**
   * Their owners, sorted. When nobody owns any change (fields removed by an update), the manager
   * of the newest managedFields entry if it is not ours: the best the API server can tell.
   */
  readonly managers: string[];
}

/** Which of `changes` on `live` other managers than `ownManager` own, and who they are. */
export function attributeDrift(
  live: KubeObject,
  changes: readonly FieldChange[],
  ownManager: string,
): DriftAttribution {
  const entries = foreignEntries(live, ownManager);
  const owners = new Set<string>();
  const owned: FieldChange[] = [];
  for (const c of changes) {
    const by = ownersOf(live, c, entries);
    if (by.length > 0) owned.push(c);
    for (const m of by) owners.add(m);
  }
  if (owners.size === 0) {
    const last = lastManager(live);
    if (last !== undefined && last !== ownManager) owners.add(last);
  }
  return { owned, managers: [...owners].sort() };
}
