/**
 * Status writes as JSON merge patches on the status subresource. A patch carries only what
 * changed: keys whose value differs, `null` for keys the new status dropped (at any depth: an
 * artifact without `metadata` must not keep the previous artifact's through the merge), nothing
 * for keys left as they were. Arrays (conditions) are sent whole when they differ.
 */
import { isDeepStrictEqual } from "node:util";
import type { KubeConfig } from "./kubeconfig/index.js";
import { kubeRequest, orUndefined } from "./kube-request.js";

/** The body of `{status: …}` in a status merge patch. */
export type StatusPatch = Record<string, unknown>;

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** The merge patch from `previous` to `next`; empty when they are equal. */
export function statusDiff(next: object | undefined, previous: object | undefined): StatusPatch {
  const after: Record<string, unknown> = { ...next };
  const before: Record<string, unknown> = { ...previous };
  const patch: StatusPatch = {};
  for (const [k, value] of Object.entries(after)) {
    const old = before[k];
    if (value === undefined || isDeepStrictEqual(value, old)) continue;
    patch[k] = isPlainObject(value) && isPlainObject(old) ? statusDiff(value, old) : value;
  }
  for (const [k, old] of Object.entries(before)) {
    if (after[k] === undefined && old !== undefined) patch[k] = null;
  }
  return patch;
}

/**
 * Patches `${objectPath}/status` with `patch`; an object deleted meanwhile is not an error (there
 * is nothing left to report on). Returns the object's resourceVersion after the write (undefined
 * when it is gone), for read-your-writes over a cache (informer/fresh-reads.ts).
 */
export async function patchObjectStatus(
  kc: KubeConfig,
  objectPath: string,
  patch: StatusPatch,
): Promise<string | undefined> {
  const written = await orUndefined(
    kubeRequest<{ metadata?: { resourceVersion?: string } }>(kc, `${objectPath}/status`, {
      method: "PATCH",
      body: { status: patch },
      contentType: "application/merge-patch+json",
    }),
  );
  return written?.metadata?.resourceVersion;
}
