/**
 * The one field-by-field comparison of a live object with its desired state (the server-side
 * dry-run of the apply): what `mooring diff` and `mooring drift` print and what a drift
 * correction records (issue 20 item 2). Server bookkeeping (managedFields, resourceVersion,
 * generation, uid, creationTimestamp) and status are left out. Values of Secret `data` and
 * `stringData` are masked, so they never reach a terminal, an event or a status.
 */
import { isJsonObject } from "../util/kube-object.js";
import { removeAtPointer } from "./json-pointer.js";
import type { KubeObject } from "./types.js";

/** One changed leaf: a dotted path (`[i]` for list items), its segments, both values. */
export interface FieldChange {
  /** `spec.template.spec.containers[0].image`: for people. */
  readonly path: string;
  /** The same path as object keys and list indexes: for managedFields look-ups. */
  readonly segments: readonly string[];
  readonly live: unknown;
  readonly desired: unknown;
}

/** Shown instead of a Secret's values. */
export const SENSITIVE = "<sensitive>";

const BOOKKEEPING = ["managedFields", "resourceVersion", "generation", "uid", "creationTimestamp"];

/** What the comparison looks at: the object without server bookkeeping, status and ignored paths. */
function comparable(obj: KubeObject, ignorePaths: readonly string[]): unknown {
  const copy = structuredClone(obj) as KubeObject & { status?: unknown };
  delete copy.status;
  const meta = copy.metadata as Record<string, unknown>;
  for (const k of BOOKKEEPING) delete meta[k];
  for (const p of ignorePaths) removeAtPointer(copy, p);
  return copy;
}

function walk(live: unknown, desired: unknown, segments: readonly string[], path: string): FieldChange[] {
  if (isJsonObject(live) && isJsonObject(desired)) {
    const keys = [...new Set([...Object.keys(live), ...Object.keys(desired)])].sort();
    return keys.flatMap((k) => walk(live[k], desired[k], [...segments, k], path === "" ? k : `${path}.${k}`));
  }
  if (Array.isArray(live) && Array.isArray(desired) && live.length === desired.length) {
    return live.flatMap((v, i) => walk(v, desired[i], [...segments, String(i)], `${path}[${i}]`));
  }
  return JSON.stringify(live) === JSON.stringify(desired) ? [] : [{ path, segments, live, desired }];
}

/**
 * Every leaf that differs between `live` and `desired` (`desired` being the dry-run of the apply),
 * in path order; Secret values masked. Paths in `ignorePaths` (JSON pointers, `spec.ignore`) are
 * left out.
 */
export function objectChanges(
  live: KubeObject,
  desired: KubeObject,
  ignorePaths: readonly string[] = [],
): FieldChange[] {
  const changes = walk(comparable(live, ignorePaths), comparable(desired, ignorePaths), [], "");
  if (desired.kind !== "Secret") return changes;
  return changes.map((c) =>
    c.segments[0] === "data" || c.segments[0] === "stringData"
      ? { ...c, live: SENSITIVE, desired: SENSITIVE }
      : c,
  );
}
