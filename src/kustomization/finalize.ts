/**
 * Deletion of a Kustomization (flux-compat §4.6): delete what its inventory lists when the
 * deletion policy says so, then release the `finalizers.fluxcd.io` finalizer.
 */
import {
  DeletionPolicy,
  FINALIZER,
  type Kustomization,
  kustomizationDeletionPolicy,
  kustomizationTimeout,
  KUSTOMIZATION_FIELDS,
  unsupportedField,
} from "../api/index.js";
import { formatChanges } from "../apply/changeset.js";
import { deleteFailureMessage } from "../apply/cluster/prune.js";
import type { ObjectRef } from "../apply/cluster/types.js";
import { listInventory } from "../apply/inventory.js";
import { Results, type Result } from "../runtime/reconciler.js";
import type { ApplyPort, KustomizationClient } from "./ports.js";

/** Whether finalisation deletes the inventory (Flux `finalizerShouldDeleteResources`). */
export function shouldDeleteOnFinalize(ks: Kustomization): boolean {
  if (ks.spec.suspend === true) return false;
  // An inventory written under a field mooring ignores (spec.kubeConfig: objects in another
  // cluster) must not be deleted here; issue 15.
  if (unsupportedField(ks, KUSTOMIZATION_FIELDS) !== undefined) return false;
  if ((ks.status?.inventory?.entries.length ?? 0) === 0) return false;
  switch (kustomizationDeletionPolicy(ks.spec)) {
    case DeletionPolicy.Delete:
    case DeletionPolicy.WaitForTermination:
      return true;
    case DeletionPolicy.MirrorPrune:
      return ks.spec.prune;
    default:
      return false;
  }
}

/** Who finalisation acts as. */
export interface FinalizeContext {
  readonly client: KustomizationClient;
  /** The apply layer of the cluster the objects live on; rejects when it cannot be built. */
  readonly apply: () => Promise<ApplyPort>;
  /** The ServiceAccount to impersonate (already defaulted), if any. */
  readonly serviceAccount: string | undefined;
  readonly impersonate: string | undefined;
  readonly signal: AbortSignal;
  readonly now: () => number;
}

/** Finalisation once the cluster's apply layer is built. */
type Connected = Omit<FinalizeContext, "apply"> & { readonly apply: ApplyPort };

const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener(
      "abort",
      () => {
        clearTimeout(t);
        resolve();
      },
      { once: true },
    );
  });

/** Polls until every object is gone or the timeout passes; returns whether all are gone. */
async function waitForTermination(
  refs: readonly ObjectRef[],
  timeoutMs: number,
  ctx: Connected,
): Promise<boolean> {
  const deadline = ctx.now() + timeoutMs;
  for (;;) {
    const identity = { impersonate: ctx.impersonate, signal: ctx.signal };
    const remaining = await Promise.all(refs.map((r) => ctx.apply.objectExists(r, identity)));
    if (!remaining.some(Boolean)) return true;
    if (ctx.now() >= deadline || ctx.signal.aborted) return false;
    await sleep(2_000, ctx.signal);
  }
}

/** Deletes the inventory objects; returns false when some deletes failed (keep the finalizer). */
async function deleteInventory(ks: Kustomization, ctx: Connected): Promise<boolean> {
  const refs: ObjectRef[] = listInventory(ks.status?.inventory?.entries ?? []);
  const owner = { name: ks.metadata.name ?? "", namespace: ks.metadata.namespace ?? "" };
  const result = await ctx.apply.deleteStale(refs, {
    owner,
    impersonate: ctx.impersonate,
    signal: ctx.signal,
  });
  const changes = formatChanges(result.entries);
  if (changes !== "")
    await ctx.client.emitEvent(ks, { type: "Normal", reason: "Progressing", message: changes });
  const message = deleteFailureMessage(result);
  if (message !== undefined) {
    await ctx.client.emitEvent(ks, { type: "Warning", reason: "PruneFailed", message });
    return false;
  }
  if (kustomizationDeletionPolicy(ks.spec) === DeletionPolicy.WaitForTermination) {
    const gone = await waitForTermination(refs, kustomizationTimeout(ks.spec), ctx);
    if (!gone) {
      const message = "failed to wait for objects to be terminated: timeout";
      await ctx.client.emitEvent(ks, { type: "Warning", reason: "PruneFailed", message });
    }
  }
  return true;
}

/**
 * Connects to the cluster the objects live on and deletes them; returns the failure, if any
 * (the finalizer stays and the deletion retries with backoff, as Flux does).
 */
async function pruneOnFinalize(ks: Kustomization, ctx: FinalizeContext): Promise<unknown> {
  let apply: ApplyPort;
  try {
    apply = await ctx.apply();
  } catch (err) {
    const message = `unable to prune objects: ${err instanceof Error ? err.message : String(err)}`;
    await ctx.client.emitEvent(ks, { type: "Warning", reason: "PruneFailed", message });
    return err;
  }
  const deleted = await deleteInventory(ks, { ...ctx, apply });
  return deleted ? undefined : new Error("delete failed during finalisation");
}

/**
 * The deletion branch. Deletes inventory objects when {@link shouldDeleteOnFinalize}; if the
 * impersonated ServiceAccount is gone it skips that (with an event) rather than block deletion
 * forever. Failed deletes keep the finalizer and retry with backoff.
 */
export async function finalize(ks: Kustomization, ctx: FinalizeContext): Promise<Result> {
  if (!(ks.metadata.finalizers as string[] | undefined)?.includes(FINALIZER)) return Results.done();
  if (shouldDeleteOnFinalize(ks)) {
    const saMissing =
      ctx.serviceAccount !== undefined &&
      !(await ctx.client.serviceAccountExists({
        namespace: ks.metadata.namespace ?? "",
        name: ctx.serviceAccount,
      }));
    if (saMissing) {
      const message = `unable to prune objects: ServiceAccount '${ctx.serviceAccount ?? ""}' not found`;
      await ctx.client.emitEvent(ks, { type: "Warning", reason: "PruneFailed", message });
    } else {
      const failure = await pruneOnFinalize(ks, ctx);
      if (failure !== undefined) return Results.backoff(failure);
    }
  }
  const rest = ((ks.metadata.finalizers as string[] | undefined) ?? []).filter((f) => f !== FINALIZER);
  await ctx.client.setFinalizers(ks, rest);
  return Results.done();
}
