/**
 * The cluster-changing steps of a Kustomization run (flux-compat §3.4 steps 6–8): staged apply,
 * inventory, prune of what left it, and the health wait. Each step returns what the next needs and
 * throws a classified error; conditions are set by the reconciler from the outcome.
 */
import {
  type DriftMode,
  healthCheckApiVersion,
  type Kustomization,
  kustomizationTimeout,
  Reason,
} from "../api/index.js";
import { type ChangeSetEntry, formatChanges, pruneSurvivors } from "../apply/changeset.js";
import { ApplyError, HealthCancelledError, HealthCheckError } from "../apply/cluster/errors.js";
import type { ApplyResult, ObjectRef, OwnerRef } from "../apply/cluster/types.js";
import type { CustomHealthChecks } from "../apply/health/cel-status.js";
import { healthCheckFailedMessage, healthCheckPassedMessage } from "../apply/health/wait.js";
import { driftModeOf, InvalidDriftModeError } from "../apply/drift-mode.js";
import { compileIgnoreRules, ignorePathsFor } from "../apply/ignore-rules.js";
import { diffInventory, type InventoryEntry, mergeInventory, objectId } from "../apply/inventory.js";
import { compareObjMetadata } from "../apply/staging.js";
import type { KubeObject } from "../apply/types.js";
import { ErrorList, GenericError, StallingError } from "../runtime/errors.js";
import { formatObject, groupOf, versionOf } from "../util/kube-object.js";
import { undecryptedSecretProblem } from "./decryption.js";
import { type HintContext, withFixHint } from "./fix-hints.js";
import type { ApplyPort } from "./ports.js";

/** Identity and cancellation shared by the steps of one run. */
export interface StepContext {
  readonly ks: Kustomization;
  readonly owner: OwnerRef;
  /** `system:serviceaccount:…` or undefined for the controller's identity. */
  readonly impersonate: string | undefined;
  readonly retryAfterMs: number;
  readonly signal: AbortSignal;
  /** End health checks at the first Failed object (Flux's default; see `DisableFailFastBehavior`). */
  readonly failFast: boolean;
  /** `spec.healthCheckExprs`, compiled before the run (see cel-steps.ts). */
  readonly customHealth?: CustomHealthChecks;
  /** Dry-run every object this run, whatever the no-op cache says (`--verify-noop-every`). */
  readonly verify?: boolean;
  /** What failure messages may name as the fix (issue 20); none when unset. */
  readonly hints?: HintContext;
}

const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/**
 * The Kustomization's `mooring.dev/drift` mode, after checking the annotation on it and on every
 * manifest: a wrong value stops the run before anything is applied (Stalled,
 * `InvalidAnnotation`), since retrying cannot fix it.
 */
export function reconcileDriftMode(ks: Kustomization, objects: readonly KubeObject[]): DriftMode | undefined {
  try {
    for (const obj of objects) driftModeOf(obj, formatObject(obj));
    return driftModeOf(ks, `Kustomization ${ks.metadata.namespace ?? ""}/${ks.metadata.name ?? ""}`);
  } catch (err) {
    throw stalledOnDriftMode(err) ?? err;
  }
}

/** Stalled `InvalidAnnotation` when `err` is (or wraps) a bad drift annotation. */
function stalledOnDriftMode(err: unknown): StallingError | undefined {
  for (let e = err; e instanceof Error; e = e.cause)
    if (e instanceof InvalidDriftModeError)
      return new StallingError(Reason.InvalidAnnotation, e.message, { cause: err });
  return undefined;
}

/**
 * Staged server-side apply, with `spec.ignore` rules (paths left out of drift detection) and the
 * drift mode. Throws `ReconciliationFailed` (message carries the partial change set), or Stalled
 * `InvalidAnnotation` for a bad `mooring.dev/drift` value (on a live object, say).
 */
export async function reconcileApply(
  objects: readonly KubeObject[],
  apply: ApplyPort,
  ctx: StepContext,
): Promise<ApplyResult> {
  const ignore = compileIgnoreRules(ctx.ks.spec.ignore ?? []);
  const encrypted = undecryptedSecretProblem(objects);
  if (encrypted !== undefined) {
    throw new GenericError(Reason.ReconciliationFailed, encrypted, { retryAfterMs: ctx.retryAfterMs });
  }
  const driftMode = reconcileDriftMode(ctx.ks, objects);
  try {
    return await apply.applyAllStaged(objects, {
      owner: ctx.owner,
      commonMetadata: ctx.ks.spec.commonMetadata,
      force: ctx.ks.spec.force ?? false,
      ignorePaths: (obj) => ignorePathsFor(ignore, obj),
      impersonate: ctx.impersonate,
      signal: ctx.signal,
      verify: ctx.verify,
      driftMode,
      customHealth: ctx.customHealth,
    });
  } catch (err) {
    const stalled = stalledOnDriftMode(err);
    if (stalled !== undefined) throw stalled;
    const hinted = withHints(err, ctx.hints);
    throw new GenericError(Reason.ReconciliationFailed, messageOf(hinted), {
      cause: hinted,
      retryAfterMs: ctx.retryAfterMs,
    });
  }
}

/** The apply failure with each object's fix appended (Ready shows the first, the event all). */
function withHints(err: unknown, hints: HintContext | undefined): unknown {
  if (hints === undefined || !(err instanceof ApplyError)) return err;
  return new ApplyError(
    err.failures.map((f) => withFixHint(f, hints)),
    err.entries,
    err,
  );
}

/** The inventory of a change set: one entry per object, sorted in apply order. */
export function inventoryOf(entries: readonly ChangeSetEntry[]): InventoryEntry[] {
  const seen = new Map<string, { e: ChangeSetEntry; entry: InventoryEntry }>();
  for (const e of entries) {
    const id = objectId(e.object);
    if (!seen.has(id)) seen.set(id, { e, entry: { id, v: e.version } });
  }
  return [...seen.values()].sort((a, b) => compareObjMetadata(a.e.object, b.e.object)).map((x) => x.entry);
}

/** What a prune left behind. */
export interface PruneOutcome {
  /** The inventory to record: the new one plus stale objects that could not be deleted. */
  readonly inventory: InventoryEntry[];
  /** Deleted objects, for the event (empty: nothing to say). */
  readonly changes: string;
  /** Set when some deletes failed; the run ends with `PruneFailed`. */
  readonly error: GenericError | undefined;
}

/**
 * Deletes objects that left the inventory (only when `spec.prune`). Objects whose delete failed
 * stay in the inventory so the next run retries them.
 */
export async function reconcilePrune(
  previous: readonly InventoryEntry[],
  next: InventoryEntry[],
  apply: ApplyPort,
  ctx: StepContext,
): Promise<PruneOutcome> {
  if (!ctx.ks.spec.prune) return { inventory: next, changes: "", error: undefined };
  const stale = diffInventory(previous, next);
  if (stale.length === 0) return { inventory: next, changes: "", error: undefined };
  let result;
  try {
    result = await apply.deleteStale(stale, {
      owner: ctx.owner,
      impersonate: ctx.impersonate,
      signal: ctx.signal,
    });
  } catch (err) {
    const error = new GenericError(Reason.PruneFailed, `prune failed: ${messageOf(err)}`, {
      cause: err,
      retryAfterMs: ctx.retryAfterMs,
    });
    return { inventory: mergeInventory(next, stale), changes: "", error };
  }
  const survivors = pruneSurvivors(stale, result.entries);
  const hints = ctx.hints;
  const error =
    result.failed.length === 0
      ? undefined
      : deleteFailed(
          result.failed.map((f) => (hints === undefined ? f.error : withFixHint(f.error, hints))),
          ctx.retryAfterMs,
        );
  return { inventory: mergeInventory(next, survivors), changes: formatChanges(result.entries), error };
}

/** `PruneFailed` for failed deletes: the first and a count in Ready, all of them in the event. */
export function deleteFailed(errors: readonly string[], retryAfterMs: number): GenericError {
  const list = new ErrorList(errors, "delete failed, errors: ");
  return new GenericError(Reason.PruneFailed, list.message, { cause: list, retryAfterMs });
}

/**
 * The objects to wait for: everything applied but skipped (`wait`), or `spec.healthChecks`; less
 * those the API server returned Current to the apply (`currentWhenApplied`): reading them again
 * would tell the same, at the cost of a list and a watch per kind (issue 19).
 */
export function healthRefs(
  ks: Kustomization,
  entries: readonly ChangeSetEntry[],
  currentWhenApplied: ReadonlySet<string> = new Set(),
): ObjectRef[] {
  return wantedRefs(ks, entries).filter((r) => !currentWhenApplied.has(objectId(r)));
}

function wantedRefs(ks: Kustomization, entries: readonly ChangeSetEntry[]): ObjectRef[] {
  const self = (r: ObjectRef): boolean =>
    r.kind === "Kustomization" && r.name === ks.metadata.name && r.namespace === ks.metadata.namespace;
  if (ks.spec.wait) {
    return entries
      .filter((e) => e.action !== "skipped")
      .map((e) => ({ ...e.object, version: e.version }))
      .filter((r) => !self(r));
  }
  return (ks.spec.healthChecks ?? [])
    .map((h) => {
      const apiVersion = healthCheckApiVersion(h);
      return {
        group: groupOf(apiVersion),
        version: versionOf(apiVersion),
        kind: h.kind,
        name: h.name,
        namespace: h.namespace ?? ks.metadata.namespace ?? "",
      };
    })
    .filter((r) => !self(r));
}

/** Whether the Kustomization asks for health checks at all (else `Healthy` is removed). */
export function wantsHealthCheck(ks: Kustomization): boolean {
  return ks.spec.wait === true || (ks.spec.healthChecks?.length ?? 0) > 0;
}

/** The wait was cancelled because a newer revision arrived: requeue at once to apply it. */
export class HealthCheckCanceled extends GenericError {
  constructor(message: string, cause: unknown) {
    super(Reason.HealthCheckCanceled, message, { cause, retryAfterMs: 0 });
  }
}

/** Why a wait's signal fired, as the end of "Health check canceled: …". */
function cancelReason(signal: AbortSignal): string {
  const reason: unknown = signal.reason;
  return reason instanceof Error && reason.message !== "" ? reason.message : "a new revision is available";
}

/**
 * Waits until `refs` are healthy within the Kustomization's timeout. Returns the Healthy message.
 * Throws `HealthCheckFailed` naming the unhealthy objects, or {@link HealthCheckCanceled}.
 */
export async function reconcileHealth(
  refs: readonly ObjectRef[],
  apply: ApplyPort,
  ctx: StepContext,
): Promise<string> {
  const started = Date.now();
  const timeoutMs = kustomizationTimeout(ctx.ks.spec);
  try {
    if (refs.length > 0) {
      await apply.waitForHealthy(refs, {
        timeoutMs,
        impersonate: ctx.impersonate,
        signal: ctx.signal,
        failFast: ctx.failFast,
        custom: ctx.customHealth,
      });
    }
  } catch (err) {
    if (err instanceof HealthCancelledError || ctx.signal.aborted) {
      throw new HealthCheckCanceled(`Health check canceled: ${cancelReason(ctx.signal)}`, err);
    }
    const why = err instanceof HealthCheckError ? err.message : messageOf(err);
    throw new GenericError(Reason.HealthCheckFailed, healthCheckFailedMessage(Date.now() - started, why), {
      cause: err,
      retryAfterMs: ctx.retryAfterMs,
    });
  }
  return healthCheckPassedMessage(Date.now() - started);
}
