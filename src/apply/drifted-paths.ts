/**
 * What to send for ignored fields when an object is applied anyway (Flux's
 * `computeDriftedPaths`): a drifted ignored path owned by another apply manager is stripped from
 * the payload (so Flux does not take it over); one only Flux applies gets the live value (so the
 * apply does not revert it).
 */
import { isJsonObject, type JsonObject } from "../util/kube-object.js";
import {
  joinPointer,
  lookupPointer,
  removeAtPointer,
  replaceAtPointer,
  splitPointer,
} from "./json-pointer.js";
import { jsonEqual } from "./semantic-equal.js";
import type { KubeObject } from "./types.js";

/** The decision for one drifted ignored path. */
export type DriftedPath =
  | { readonly path: string; readonly action: "strip" }
  | { readonly path: string; readonly action: "adopt"; readonly value: unknown };

/** One manager's field set (fieldsV1). */
export interface ApplyFields {
  readonly manager: string;
  readonly fields: JsonObject;
}

function applyEntries(live: KubeObject): ApplyFields[] {
  return (live.metadata.managedFields ?? [])
    .filter((m) => m.operation === "Apply" && !m.subresource && isJsonObject(m.fieldsV1))
    .map((m) => ({ manager: m.manager ?? "", fields: m.fieldsV1 as JsonObject }));
}

/** The fieldsV1 node at `segments`, if the set has one. */
export function descend(fields: JsonObject, segments: readonly string[]): JsonObject | undefined {
  let node: unknown = fields;
  for (const s of segments) node = isJsonObject(node) ? node[s] : undefined;
  return isJsonObject(node) ? node : undefined;
}

interface ListItem {
  readonly live: KubeObject;
  /** Object path of the list. */
  readonly listPath: readonly string[];
  readonly index: number;
  /** fieldsV1 path of the list. */
  readonly parent: readonly string[];
}

/** The `k:{...}` key of a list item, found among the apply managers' keys at the list. */
function listItemKey(at: ListItem, entries: readonly ApplyFields[]): string | undefined {
  const list = lookupPointer(at.live, joinPointer(at.listPath)).value;
  const item = Array.isArray(list) ? (list as unknown[])[at.index] : undefined;
  if (!isJsonObject(item)) return undefined;
  const keys = entries.flatMap((e) =>
    Object.keys(descend(e.fields, at.parent) ?? {}).filter((k) => k.startsWith("k:")),
  );
  return keys.find((k) => {
    try {
      const kv = JSON.parse(k.slice(2)) as unknown;
      return isJsonObject(kv) && Object.entries(kv).every(([f, v]) => jsonEqual(item[f], v));
    } catch {
      return false;
    }
  });
}

/** `/spec/containers/0/image` → `["f:spec", "f:containers", "k:{...}", "f:image"]`, if resolvable. */
export function fieldsPath(
  live: KubeObject,
  pointer: string,
  entries: readonly ApplyFields[],
): string[] | undefined {
  const parts = splitPointer(pointer);
  if (parts.length === 0) return undefined;
  const segments: string[] = [];
  const objPath: string[] = [];
  for (const part of parts) {
    const key = /^\d+$/.test(part)
      ? listItemKey({ live, listPath: objPath, index: Number(part), parent: segments }, entries)
      : `f:${part}`;
    if (key === undefined) return undefined;
    segments.push(key);
    objPath.push(part);
  }
  return segments;
}

function ownedByOtherApplier(
  live: KubeObject,
  pointer: string,
  fluxManager: string,
  entries: readonly ApplyFields[],
): boolean {
  const segments = fieldsPath(live, pointer, entries);
  if (segments === undefined) return false;
  const parent = segments.slice(0, -1);
  const leaf = segments.at(-1) ?? "";
  return entries.some(
    (e) => e.manager !== fluxManager && Object.hasOwn(descend(e.fields, parent) ?? {}, leaf),
  );
}

/** The drifted ignored paths of an existing object and what to do with each. */
export function driftedPaths(
  live: KubeObject,
  dryRun: KubeObject,
  ignorePaths: readonly string[],
  fluxManager: string,
): DriftedPath[] {
  const entries = applyEntries(live);
  const out: DriftedPath[] = [];
  for (const path of ignorePaths) {
    const a = lookupPointer(live, path);
    const b = lookupPointer(dryRun, path);
    if (a.found === b.found && jsonEqual(a.value, b.value)) continue;
    out.push(
      ownedByOtherApplier(live, path, fluxManager, entries)
        ? { path, action: "strip" }
        : { path, action: "adopt", value: a.value },
    );
  }
  return out;
}

/** Applies the decisions to the object about to be applied (a copy is returned). */
export function applyDriftedPaths(obj: KubeObject, decisions: readonly DriftedPath[]): KubeObject {
  const out = structuredClone(obj);
  // Strips first, as Flux does; an adopted value that is absent live is stripped too.
  for (const d of decisions) if (d.action === "strip" || d.value === undefined) removeAtPointer(out, d.path);
  for (const d of decisions)
    if (d.action === "adopt" && d.value !== undefined)
      replaceAtPointer(out, d.path, structuredClone(d.value));
  return out;
}
