/**
 * The single function that finishes every reconcile: (object, step outcome, error) → conditions,
 * observedGeneration, events and the requeue decision.
 *
 * Both controllers call it at the end of their steps so status is finished one way (flux-compat
 * §1.3, §3.2, §6.1, modelled on fluxcd/pkg ComputeReconcileResult + ResultFinalizer):
 * - success: Reconciling and Stalled removed, Ready True if nothing else decided it,
 *   observedGeneration stamped, requeue at jitter(interval);
 * - stalling: Stalled True, Reconciling removed, Ready False, observedGeneration stamped, no requeue;
 * - waiting: requeue at the given time, Ready False, no stamp;
 * - generic: Reconciling → ProgressingWithRetry, Ready False, backoff (or a fixed retry delay);
 *   an `ignore` generic error counts as success;
 * - suspended: conditions kept (Reconciling goes once Ready is True), no requeue;
 * - `status.lastHandledReconcileAt` always echoes the request annotation.
 * Reconcilers reach it through `StatusFinisher` (finish-status.ts), which also writes the result.
 */
import {
  READY,
  RECONCILING,
  STALLED,
  conditionsOf,
  deleteCondition,
  getCondition,
  isFalse,
  isReconciling,
  isStalled,
  isTrue,
  isUnknown,
  markFalse,
  markStalled,
  markTrue,
  setCondition,
  type Condition,
  type ConditionedObject,
} from "./conditions.js";
import { classifyError, type ClassifiedError } from "./errors.js";
import type { EventRecord } from "./event-types.js";
import { jitter as defaultJitter } from "./jitter.js";
import { withLastHandledReconcileAt } from "./reconcile-request.js";
import { Results, type Result } from "./reconciler.js";
import { summarize, type SummarySpec } from "./summary.js";

/** How the steps ended when they did not throw. */
export type StepOutcome =
  /** All steps ran; the object is up to date. */
  | "success"
  /** Stop without requeue and without claiming success. */
  | "empty"
  /**
   * The object is suspended: conditions stay as the last run left them (Reconciling goes once
   * Ready is True), the request is recorded as handled, no requeue (Flux's early return).
   */
  | "suspended";

/** Reasons the runtime writes itself. */
export const REASON_SUCCEEDED = "Succeeded";
/** Reconciling reason after a failed attempt. */
export const REASON_PROGRESSING_WITH_RETRY = "ProgressingWithRetry";
/** Reconciling reason while working. */
export const REASON_PROGRESSING = "Progressing";

/** Per-controller settings of the computation. */
export interface ResultOptions {
  /** `spec.interval` in ms; success requeues at jitter(interval); 0 means no periodic requeue. */
  readonly intervalMs: number;
  /** How Ready is summarised from the other conditions; absent: the caller manages Ready. */
  readonly summary?: SummarySpec;
  /** Ready True reason and message when success leaves Ready unset. */
  readonly successReason?: string;
  readonly successMessage?: string;
  /** Jitter applied to the success interval; default ± 5 %. */
  readonly jitter?: (ms: number) => number;
  /** Secret values to scrub from error messages. */
  readonly secrets?: readonly string[];
  /** Metadata attached to error events (e.g. the revision annotation). */
  readonly eventMetadata?: Readonly<Record<string, string>>;
  /**
   * Ready as the reconcile read it: a failed run replaces a Ready False left unchanged since then
   * (an earlier run's) with its own error, and keeps one a step or the summary wrote.
   */
  readonly readyBefore?: Condition;
  readonly now?: Date;
}

/** What the controller then patches, emits and returns. */
export interface ComputedResult<T extends ConditionedObject> {
  /** The object with finished status; patch its status. */
  readonly obj: T;
  readonly result: Result;
  readonly events: readonly EventRecord[];
  /** The classified failure, for logging; undefined on success. */
  readonly failure: ClassifiedError | undefined;
}

interface Decision {
  readonly stamp: boolean;
  readonly result: Result;
}

/** Computes the end of a reconcile; see the module comment for the rules. */
export function computeResult<T extends ConditionedObject>(
  obj: T,
  outcome: StepOutcome,
  error: unknown,
  options: ResultOptions,
): ComputedResult<T> {
  if (outcome === "suspended" && error === undefined) return suspendedResult(obj, options);
  return runResult(obj, outcome, error, options);
}

function runResult<T extends ConditionedObject>(
  obj: T,
  outcome: StepOutcome,
  error: unknown,
  options: ResultOptions,
): ComputedResult<T> {
  const now = options.now ?? new Date();
  const failure = error === undefined ? undefined : classifyError(error, options.secrets ?? []);
  const success = failure === undefined ? outcome === "success" : failure.ignore;
  const decision = decide(failure, outcome, options);
  let out = retryReconciling(success ? deleteCondition(obj, RECONCILING) : obj, now);
  out = stalledFor(out, failure, now);
  if (options.summary !== undefined) out = summarize(out, options.summary, now);
  out = failReady(out, failure, options, now);
  const finished = success
    ? finishSuccess(out, decision.result, options, now)
    : { obj: out, result: decision.result };
  out = withLastHandledReconcileAt(finished.obj);
  if (decision.stamp) out = stampObservedGeneration(out);
  return { obj: out, result: finished.result, events: eventsFor(failure, options), failure };
}

/** Suspended: only the summary, Reconciling once Ready is True, the request and the stamp. */
function suspendedResult<T extends ConditionedObject>(obj: T, options: ResultOptions): ComputedResult<T> {
  const now = options.now ?? new Date();
  let out = options.summary === undefined ? obj : summarize(obj, options.summary, now);
  if (isTrue(out, READY)) out = deleteCondition(out, RECONCILING);
  out = stampObservedGeneration(withLastHandledReconcileAt(out));
  return { obj: out, result: Results.done(), events: [], failure: undefined };
}

/** Stalled=True for a stalling failure; any other end removes Stalled. */
function stalledFor<T extends ConditionedObject>(obj: T, failure: ClassifiedError | undefined, now: Date): T {
  if (failure?.kind === "stalling" && !failure.ignore) {
    return markStalled(obj, { reason: failure.reason, message: failure.message, now });
  }
  return deleteCondition(obj, STALLED);
}

/**
 * On success, Ready False (set by a step or the summary) still means "retry": back off with its
 * message. Ready left unset becomes True with the success reason.
 */
function finishSuccess<T extends ConditionedObject>(
  obj: T,
  result: Result,
  options: ResultOptions,
  now: Date,
): { obj: T; result: Result } {
  if (isFalse(obj, READY) && !isStalled(obj)) {
    return { obj, result: Results.backoff(new Error(getCondition(obj, READY)?.message ?? "not ready")) };
  }
  if (isUnknown(obj, READY) && !isReconciling(obj)) {
    const reason = options.successReason ?? REASON_SUCCEEDED;
    return { obj: markTrue(obj, READY, { reason, message: options.successMessage ?? "", now }), result };
  }
  return { obj, result };
}

/** A Reconciling condition left at the end means the attempt failed: say it will be retried. */
function retryReconciling<T extends ConditionedObject>(obj: T, now: Date): T {
  const reconciling = getCondition(obj, RECONCILING);
  if (reconciling?.status !== "True") return obj;
  return setCondition(obj, { ...reconciling, reason: REASON_PROGRESSING_WITH_RETRY }, now);
}

/** Requeue and stamping per error kind (flux-compat §6.1). */
function decide(
  failure: ClassifiedError | undefined,
  outcome: StepOutcome,
  options: ResultOptions,
): Decision {
  const interval = (): Result =>
    options.intervalMs > 0
      ? Results.after((options.jitter ?? defaultJitter)(options.intervalMs))
      : Results.done();
  if (failure === undefined) {
    return { stamp: true, result: outcome === "success" ? interval() : Results.done() };
  }
  if (failure.ignore) return { stamp: true, result: interval() };
  switch (failure.kind) {
    case "stalling":
      return { stamp: true, result: Results.done() };
    case "waiting":
      return {
        stamp: false,
        result: failure.requeueAfterMs === undefined ? interval() : Results.after(failure.requeueAfterMs),
      };
    case "generic":
      return {
        stamp: false,
        result:
          failure.requeueAfterMs === undefined
            ? Results.backoff(failure.error)
            : Results.after(failure.requeueAfterMs),
      };
  }
}

/**
 * A failed run must not leave Ready True or Unknown. A Ready False is kept when this run's steps
 * or the summary decided it; one that only mirrors Reconciling, or that is still the one the
 * reconcile read, is replaced with the error's reason and message. One Ready write per run.
 */
function failReady<T extends ConditionedObject>(
  obj: T,
  failure: ClassifiedError | undefined,
  options: ResultOptions,
  now: Date,
): T {
  if (failure === undefined || failure.ignore) return obj;
  const ready = getCondition(obj, READY);
  if (ready?.status === "False" && decidedThisRun(ready, options)) return obj;
  return markFalse(obj, READY, { reason: failure.reason, message: failure.message, now });
}

/** A Ready False that a step or the summary wrote, not a mirror of Reconciling nor a leftover. */
function decidedThisRun(ready: Condition, options: ResultOptions): boolean {
  if (ready.reason === REASON_PROGRESSING_WITH_RETRY || ready.reason === REASON_PROGRESSING) return false;
  return options.summary !== undefined || !sameCondition(ready, options.readyBefore);
}

function sameCondition(a: Condition, b: Condition | undefined): boolean {
  return (
    b !== undefined &&
    a.status === b.status &&
    a.reason === b.reason &&
    a.message === b.message &&
    a.lastTransitionTime === b.lastTransitionTime
  );
}

/**
 * observedGeneration claims "this generation is done" (kstatus), so it is not written with Ready
 * False unless the object is stalled on it, nor on an object that has no conditions at all.
 */
function stampObservedGeneration<T extends ConditionedObject>(obj: T): T {
  const generation = obj.metadata.generation;
  const settled = !isFalse(obj, READY) || isStalled(obj);
  if (generation === undefined || !settled || conditionsOf(obj).length === 0) return obj;
  return { ...obj, status: { ...obj.status, observedGeneration: generation } };
}

function eventsFor(failure: ClassifiedError | undefined, options: ResultOptions): EventRecord[] {
  if (failure === undefined || failure.eventType === "None") return [];
  const metadata = options.eventMetadata;
  return [
    {
      type: failure.eventType,
      reason: failure.reason,
      message: failure.details,
      ...(metadata === undefined ? {} : { metadata }),
    },
  ];
}
