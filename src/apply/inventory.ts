/**
 * `status.inventory` of a Kustomization: which objects it applied, in Flux's id format, so that
 * Flux and mooring can read each other's inventories and prune what left the source.
 */
import { versionOf } from "../util/kube-object.js";
import { compareObjMetadata } from "./staging.js";
import { type KubeObject, type ObjMetadata, objMetadataOf } from "./types.js";

/** One `status.inventory.entries[]` item. */
export interface InventoryEntry {
  /** `<namespace>_<name>_<group>_<Kind>`. */
  readonly id: string;
  /** API version without group (`v1`). */
  readonly v: string;
}

/** An inventory entry decoded back into an identity plus version. */
export interface InventoryObject extends ObjMetadata {
  readonly version: string;
}

/** An id that cannot be decoded. */
export class InventoryParseError extends Error {
  override readonly name = "InventoryParseError";
}

const RBAC_GROUP = "rbac.authorization.k8s.io";
const RBAC_KINDS = new Set(["Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"]);

/**
 * Flux's object id. RBAC names may contain `:` (e.g. `system:controller`), which is written as
 * `__` so the id stays a valid label-like string.
 */
export function objectId(m: ObjMetadata): string {
  const name = m.group === RBAC_GROUP && RBAC_KINDS.has(m.kind) ? m.name.replaceAll(":", "__") : m.name;
  // One flat string (join), not a rope of the pieces: ids are kept per applied object (issue 19).
  return [m.namespace, name, m.group, m.kind].join("_");
}

/** Decodes an id: namespace up to the first `_`, kind and group after the last two. */
export function parseObjectId(id: string): ObjMetadata {
  const fail = (): never => {
    throw new InventoryParseError(`unable to parse stored object metadata: ${id}`);
  };
  const first = id.indexOf("_");
  if (first === -1) fail();
  const rest = id.slice(first + 1);
  const kindAt = rest.lastIndexOf("_");
  if (kindAt === -1) fail();
  const groupAt = rest.lastIndexOf("_", kindAt - 1);
  if (groupAt === -1 || kindAt === 0) fail();
  return {
    namespace: id.slice(0, first),
    name: rest.slice(0, groupAt).replaceAll("__", ":"),
    group: rest.slice(groupAt + 1, kindAt),
    kind: rest.slice(kindAt + 1),
  };
}

/** The inventory entry of an object. */
export function inventoryEntryOf(obj: KubeObject): InventoryEntry {
  return { id: objectId(objMetadataOf(obj)), v: versionOf(obj.apiVersion) };
}

/** Decodes entries; throws {@link InventoryParseError} on the first bad id. */
export function listInventory(entries: readonly InventoryEntry[]): InventoryObject[] {
  return entries.map((e) => ({ ...parseObjectId(e.id), version: e.v }));
}

/**
 * The stale set: objects in `previous` whose id is not in `next`, with the version recorded in
 * `previous`, sorted by kind rank (prune deletes them in the reverse of this order).
 */
export function diffInventory(
  previous: readonly InventoryEntry[],
  next: readonly InventoryEntry[],
): InventoryObject[] {
  const keep = new Set(next.map((e) => e.id));
  const seen = new Set<string>();
  const stale = previous.filter((e) => !keep.has(e.id) && !seen.has(e.id) && seen.add(e.id));
  return listInventory(stale).sort(compareObjMetadata);
}

/**
 * Adds objects that are not yet in `entries` (by id), keeping existing entries first. Used to put
 * back stale objects that failed to delete, so the next run retries them.
 */
export function mergeInventory(
  entries: readonly InventoryEntry[],
  objects: readonly InventoryObject[],
): InventoryEntry[] {
  const out = [...entries];
  const seen = new Set(entries.map((e) => e.id));
  for (const obj of objects) {
    const id = objectId(obj);
    if (seen.has(id)) continue;
    seen.add(id);
    out.push({ id, v: obj.version });
  }
  return out;
}
