/**
 * Hashes for the cheap no-op reconcile: one of the rendered object (plus what else changes the
 * apply), and one of a live object's content that an apply could change (everything except
 * status and the fields the server bumps on every write). A status-only update changes the
 * resourceVersion but not the content fingerprint, so it is neither drift nor a reason to
 * dry-run again.
 */
import { createHash } from "node:crypto";
import { isJsonObject, type ManagedFieldsEntry } from "../../util/kube-object.js";
import type { KubeObject } from "../types.js";

/** JSON with object keys sorted, so equal values always serialise the same way. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (isJsonObject(value)) {
    const keys = Object.keys(value)
      .filter((k) => value[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

/**
 * Base64, not hex: these hashes are only compared with each other, and three are kept per applied
 * object for its lifetime (44 characters instead of 64; issue 19).
 */
const sha256 = (text: string): string => createHash("sha256").update(text).digest("base64");

/** Hash of a prepared desired object and the context it is applied in. */
export function renderedHash(obj: KubeObject, context: unknown): string {
  return sha256(canonicalJson({ obj, context }));
}

/** managedFields as an apply sees them: no timestamps, no status-subresource entries. */
function applyRelevantManagers(entries: readonly ManagedFieldsEntry[] | undefined): unknown[] {
  return (entries ?? [])
    .filter((e) => (e.subresource ?? "") === "")
    .map((e) => ({
      manager: e.manager,
      operation: e.operation,
      apiVersion: e.apiVersion,
      fields: e.fieldsV1,
    }));
}

/** Hash of a live object's apply-relevant content. */
export function contentFingerprint(obj: KubeObject): string {
  const { metadata, status: _status, ...rest } = obj;
  const {
    resourceVersion: _rv,
    generation: _generation,
    managedFields,
    creationTimestamp: _created,
    ...meta
  } = metadata;
  return sha256(canonicalJson({ rest, meta, managers: applyRelevantManagers(managedFields) }));
}

/**
 * Hash of the fields `fieldManager` owns through Apply. When someone else overwrites one of them
 * (kubectl edit, scale, a forced apply) the server moves the field to that manager, so this hash
 * changes; a controller touching fields we never set leaves it alone. "" when we own nothing.
 */
export function ownedFieldsHash(obj: KubeObject, fieldManager: string): string {
  const entry = (obj.metadata.managedFields ?? []).find(
    (e) => e.manager === fieldManager && e.operation === "Apply" && (e.subresource ?? "") === "",
  );
  return entry === undefined ? "" : sha256(canonicalJson(entry.fieldsV1 ?? {}));
}

/** The manager of the newest managedFields entry (who changed it last), if any. */
export function lastManager(obj: KubeObject): string | undefined {
  let best: ManagedFieldsEntry | undefined;
  for (const e of obj.metadata.managedFields ?? []) {
    if ((e.subresource ?? "") !== "") continue;
    if (best === undefined || (e.time ?? "") >= (best.time ?? "")) best = e;
  }
  return best?.manager;
}
