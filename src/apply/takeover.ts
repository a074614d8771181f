/**
 * Taking objects over from kubectl (flux-compat §4.2): before applying, rewrite the managedFields
 * entries of kubectl and other non-Flux managers into the Flux apply manager, and drop
 * `last-applied-configuration` and Flux v1 leftovers, so that fields edited by hand are owned by
 * Flux and the next apply reverts them. Sent as one JSON patch; skipped for `ssa: Merge`.
 */
import { isJsonObject, type JsonObject, type ManagedFieldsEntry } from "../util/kube-object.js";
import { applyPolicy } from "./annotations.js";
import { escapePointer } from "./json-pointer.js";
import type { KubeObject } from "./types.js";

/** A manager to take over: a name prefix (or exact name) and an operation. */
export interface FieldManagerMatch {
  readonly name: string;
  readonly operation: "Apply" | "Update";
  readonly exact?: boolean;
}

/** What to clean up. */
export interface CleanupOptions {
  /** The Flux field manager that takes over (`kustomize-controller`). */
  readonly fieldManager: string;
  readonly annotations: readonly string[];
  readonly labels: readonly string[];
  readonly managers: readonly FieldManagerMatch[];
}

/** One JSON patch (RFC 6902) operation. */
export type JsonPatchOp =
  { op: "remove"; path: string } | { op: "replace"; path: string; value: ManagedFieldsEntry[] };

/**
 * Flux's defaults: kubectl (Apply and Update), before-first-apply (Update), the controller's own
 * pre-SSA Update entries, and every `--override-manager` name (Apply and Update).
 */
export function defaultCleanupOptions(
  fieldManager = "kustomize-controller",
  overrideManagers: readonly string[] = [],
): CleanupOptions {
  const managers: FieldManagerMatch[] = [
    { name: "kubectl", operation: "Apply" },
    { name: "kubectl", operation: "Update" },
    { name: "before-first-apply", operation: "Update" },
    { name: fieldManager, operation: "Update" },
    ...overrideManagers.flatMap((name): FieldManagerMatch[] => [
      { name, operation: "Apply" },
      { name, operation: "Update" },
    ]),
  ];
  return {
    fieldManager,
    annotations: [
      "kubectl.kubernetes.io/last-applied-configuration",
      "kustomize.toolkit.fluxcd.io/checksum",
      "fluxcd.io/sync-checksum",
    ],
    labels: ["fluxcd.io/sync-gc-mark"],
    managers,
  };
}

function matches(entry: ManagedFieldsEntry, m: FieldManagerMatch): boolean {
  if (entry.operation !== m.operation || (entry.subresource ?? "") !== "") return false;
  const name = entry.manager ?? "";
  return m.exact === true ? name === m.name : name.startsWith(m.name);
}

/** Union of two `fieldsV1` tries (each key is a field or list item; leaves are `{}`). */
export function mergeFieldsV1(a: JsonObject | undefined, b: JsonObject | undefined): JsonObject | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  const out: JsonObject = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const prev = out[k];
    out[k] = isJsonObject(prev) && isJsonObject(v) ? (mergeFieldsV1(prev, v) ?? {}) : v;
  }
  return out;
}

/**
 * The managedFields after takeover, or undefined when no entry matched. Matching entries are
 * merged into the Flux Apply entry (the existing one, or the first match renamed), which moves
 * to the end of the list. When Flux's Apply entry comes after a matched one, Flux sends it twice
 * (original and merged) and the API server keeps the last; we send only the merged entry, which
 * leaves the object in the same state.
 */
export function takeOverManagedFields(
  entries: readonly ManagedFieldsEntry[],
  managers: readonly FieldManagerMatch[],
  fieldManager: string,
): ManagedFieldsEntry[] | undefined {
  let prevIndex = -1;
  entries.forEach((e, i) => {
    if (e.manager === fieldManager && e.operation === "Apply") prevIndex = i;
  });
  let prev: ManagedFieldsEntry | undefined = prevIndex === -1 ? undefined : { ...entries[prevIndex] };
  const kept: ManagedFieldsEntry[] = [];
  let edited = false;
  entries.forEach((entry, i) => {
    if (i === prevIndex) return;
    if (!managers.some((m) => matches(entry, m))) {
      kept.push(entry);
      return;
    }
    edited = true;
    prev =
      prev === undefined
        ? { ...entry, manager: fieldManager, operation: "Apply" }
        : { ...prev, fieldsV1: mergeFieldsV1(prev.fieldsV1, entry.fieldsV1) };
  });
  return edited && prev !== undefined ? [...kept, prev] : undefined;
}

function removals(
  field: string,
  present: Readonly<Record<string, string>> | undefined,
  keys: readonly string[],
): JsonPatchOp[] {
  return keys
    .filter((k) => present !== undefined && k in present)
    .map((k) => ({ op: "remove", path: `/metadata/${field}/${escapePointer(k)}` }));
}

/**
 * The cleanup patch for a live object about to be applied (empty: nothing to send). Nothing is
 * cleaned when the desired or live object has `ssa: Merge`.
 */
export function cleanupPatch(
  desired: KubeObject,
  live: KubeObject | undefined,
  options: CleanupOptions,
): JsonPatchOp[] {
  if (live === undefined || !applyPolicy(desired, live).cleanup) return [];
  const ops = [
    ...removals("annotations", live.metadata.annotations, options.annotations),
    ...removals("labels", live.metadata.labels, options.labels),
  ];
  const managed = takeOverManagedFields(
    live.metadata.managedFields ?? [],
    options.managers,
    options.fieldManager,
  );
  if (managed !== undefined) ops.push({ op: "replace", path: "/metadata/managedFields", value: managed });
  return ops;
}
