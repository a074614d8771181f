/**
 * The one way every reconciler writes status (issue 17 item 5, Flux's finalizeStatus with its
 * serial patcher): one {@link StatusFinisher} per reconcile, made from the object as read.
 * `patch` writes progress while the steps run; `finish` ends the reconcile, suspended included,
 * through `computeResult` (summary Ready, Reconciling/Stalled, observedGeneration,
 * lastHandledReconcileAt) and writes it. Each write is the diff from the status last written
 * (or read), removed keys set to null; nothing is sent when nothing changed.
 */
import { getCondition, READY, type ConditionedObject } from "./conditions.js";
import { computeResult, type ComputedResult, type ResultOptions, type StepOutcome } from "./result.js";
import { statusDiff, type StatusPatch } from "./status-patch.js";

/** Sends one status merge patch for `obj` (a client's `patchStatus`). */
export type SendStatusPatch<T> = (obj: T, patch: StatusPatch) => Promise<unknown>;

/** Writes the status of one object over one reconcile. */
export class StatusFinisher<T extends ConditionedObject> {
  private written: T["status"];
  private readonly read: T;

  constructor(
    read: T,
    private readonly send: SendStatusPatch<T>,
  ) {
    this.read = read;
    this.written = read.status;
  }

  /** Writes what changed in `obj.status` since the last write. */
  async patch(obj: T): Promise<void> {
    const diff = statusDiff(obj.status, this.written);
    if (Object.keys(diff).length === 0) return;
    await this.send(obj, diff);
    this.written = obj.status;
  }

  /** Computes the end of the reconcile (see `computeResult`) and writes it. */
  async finish(
    obj: T,
    outcome: StepOutcome,
    error: unknown,
    options: ResultOptions,
  ): Promise<ComputedResult<T>> {
    const readyBefore = getCondition(this.read, READY);
    const out = computeResult(obj, outcome, error, {
      ...options,
      ...(readyBefore === undefined ? {} : { readyBefore }),
    });
    await this.patch(out.obj);
    return out;
  }
}
