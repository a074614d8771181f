/**
 * Status writes as JSON merge patches on the status subresource, shared by the controllers that
 * finish a reconcile with `computeResult`: the patch carries the new status and sets to null the
 * fields the new status dropped (a merge patch otherwise keeps them).
 */
import type { KubeConfig } from "@kubernetes/client-node";
import { kubeRequest, orUndefined } from "./kube-request.js";

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * A status merge patch that also removes fields the new status dropped, at any depth (an
 * artifact without `metadata` must not keep the previous artifact's through the merge).
 */
export function statusPatch(next: object | undefined, previous: object | undefined): Record<string, unknown> {
  const patch: Record<string, unknown> = { ...next };
  for (const [k, old] of Object.entries(previous ?? {})) {
    if (!(k in patch)) patch[k] = null;
    else if (isPlainObject(old) && isPlainObject(patch[k])) patch[k] = statusPatch(patch[k], old);
  }
  return patch;
}

/**
 * Patches `${objectPath}/status` from `previous` to `next`; an object deleted meanwhile is not an
 * error (there is nothing left to report on).
 */
export async function patchObjectStatus(
  kc: KubeConfig,
  objectPath: string,
  next: object | undefined,
  previous: object | undefined,
): Promise<void> {
  await orUndefined(
    kubeRequest(kc, `${objectPath}/status`, {
      method: "PATCH",
      body: { status: statusPatch(next, previous) },
      contentType: "application/merge-patch+json",
    }),
  );
}
