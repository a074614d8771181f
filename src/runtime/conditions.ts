/**
 * Pure helpers on `metav1.Condition` lists, with Flux's invariants (fluxcd/pkg runtime/conditions).
 *
 * Every controller builds status the same way: mark conditions during the steps, summarise Ready at
 * the end, patch once. Keeping these as pure functions over `{metadata.generation,
 * status.conditions}` lets the result computation and its table tests run without a cluster.
 * Each function returns a new object; the input is never modified.
 */

/** `metav1.ConditionStatus`. */
export type ConditionStatus = "True" | "False" | "Unknown";

/** `metav1.Condition` as JSON. */
export interface Condition {
  readonly type: string;
  readonly status: ConditionStatus;
  readonly observedGeneration?: number;
  /** RFC 3339, second precision (what `metav1.Time` serialises to). */
  readonly lastTransitionTime: string;
  readonly reason: string;
  readonly message: string;
}

/** The part of an object the condition helpers read and write. */
export interface ConditionedObject {
  readonly metadata: { readonly generation?: number; readonly annotations?: Record<string, string> };
  readonly status?: {
    readonly conditions?: readonly Condition[];
    readonly observedGeneration?: number;
    readonly [key: string]: unknown;
  };
}

/** Condition types with runtime meaning (kstatus). */
export const READY = "Ready";
/** Abnormal-true: the controller is working on a change. */
export const RECONCILING = "Reconciling";
/** Abnormal-true: the controller cannot make progress without a spec change. */
export const STALLED = "Stalled";

/** Longest message kept; Flux trims at 32768 characters, ending with `...`. */
export const MAX_MESSAGE_LENGTH = 32768;

/** Reason, message and the time of the change (defaults to now). */
export interface ConditionDetail {
  readonly reason: string;
  readonly message: string;
  readonly now?: Date;
}

/** `metav1.Time` text for `date`: RFC 3339 without fractional seconds. */
export function formatTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** The conditions of `obj`, never undefined. */
export function conditionsOf(obj: ConditionedObject): readonly Condition[] {
  return obj.status?.conditions ?? [];
}

/** The condition of `type`, if present. */
export function getCondition(obj: ConditionedObject, type: string): Condition | undefined {
  return conditionsOf(obj).find((c) => c.type === type);
}

/** True when the condition exists with status True. */
export function isTrue(obj: ConditionedObject, type: string): boolean {
  return getCondition(obj, type)?.status === "True";
}

/** True when the condition exists with status False. */
export function isFalse(obj: ConditionedObject, type: string): boolean {
  return getCondition(obj, type)?.status === "False";
}

/** True when the condition is absent or Unknown (Flux's `IsUnknown`). */
export function isUnknown(obj: ConditionedObject, type: string): boolean {
  const c = getCondition(obj, type);
  return c === undefined || c.status === "Unknown";
}

/** `Ready=True`. */
export function isReady(obj: ConditionedObject): boolean {
  return isTrue(obj, READY);
}

/** `Stalled=True`. */
export function isStalled(obj: ConditionedObject): boolean {
  return isTrue(obj, STALLED);
}

/** `Reconciling=True`. */
export function isReconciling(obj: ConditionedObject): boolean {
  return isTrue(obj, RECONCILING);
}

/** Trims `message` to {@link MAX_MESSAGE_LENGTH} characters, marking the cut with `...`. */
export function trimMessage(message: string): string {
  if (message.length <= MAX_MESSAGE_LENGTH) return message;
  return `${message.slice(0, MAX_MESSAGE_LENGTH - 3)}...`;
}

const FIRST = [STALLED, RECONCILING, READY];

/** Sort order: Stalled, Reconciling, Ready first, then the rest by type. */
export function compareConditions(a: Condition, b: Condition): number {
  const ia = FIRST.indexOf(a.type);
  const ib = FIRST.indexOf(b.type);
  if (ia !== -1 || ib !== -1) {
    if (ia === -1) return 1;
    if (ib === -1) return -1;
    return ia - ib;
  }
  return a.type < b.type ? -1 : a.type > b.type ? 1 : 0;
}

/** A copy of `conditions` in the canonical order. */
export function sortConditions(conditions: readonly Condition[]): Condition[] {
  return [...conditions].sort(compareConditions);
}

/** Returns `obj` with its conditions replaced (sorted). */
export function withConditions<T extends ConditionedObject>(obj: T, conditions: readonly Condition[]): T {
  return { ...obj, status: { ...obj.status, conditions: sortConditions(conditions) } };
}

/** What a caller gives to {@link setCondition}. */
export interface ConditionInput {
  readonly type: string;
  readonly status: ConditionStatus;
  readonly reason: string;
  readonly message: string;
}

/**
 * Sets a condition: observedGeneration = the object's generation, message trimmed,
 * lastTransitionTime kept when the status does not change. An identical condition is a no-op.
 */
export function setCondition<T extends ConditionedObject>(
  obj: T,
  input: ConditionInput,
  now: Date = new Date(),
): T {
  const existing = getCondition(obj, input.type);
  const generation = obj.metadata.generation;
  const next: Condition = {
    type: input.type,
    status: input.status,
    ...(generation === undefined ? {} : { observedGeneration: generation }),
    lastTransitionTime:
      existing !== undefined && existing.status === input.status
        ? existing.lastTransitionTime
        : formatTime(now),
    reason: input.reason,
    message: trimMessage(input.message),
  };
  if (existing !== undefined && sameState(existing, next)) return obj;
  const rest = conditionsOf(obj).filter((c) => c.type !== input.type);
  return withConditions(obj, [...rest, next]);
}

function sameState(a: Condition, b: Condition): boolean {
  return (
    a.status === b.status &&
    a.reason === b.reason &&
    a.message === b.message &&
    a.observedGeneration === b.observedGeneration
  );
}

/** A setter of conditions to `status`. */
function marker(status: Condition["status"]) {
  return <T extends ConditionedObject>(obj: T, type: string, detail: ConditionDetail): T =>
    setCondition(obj, { type, status, reason: detail.reason, message: detail.message }, detail.now);
}

/** Sets `type` to True. */
export const markTrue = marker("True");
/** Sets `type` to False. */
export const markFalse = marker("False");
/** Sets `type` to Unknown. */
export const markUnknown = marker("Unknown");

/** Removes the condition of `type` (no-op when absent). */
export function deleteCondition<T extends ConditionedObject>(obj: T, type: string): T {
  if (getCondition(obj, type) === undefined) return obj;
  return withConditions(
    obj,
    conditionsOf(obj).filter((c) => c.type !== type),
  );
}

/** `Reconciling=True`; a reconciling object is not stalled, so Stalled is removed. */
export function markReconciling<T extends ConditionedObject>(obj: T, detail: ConditionDetail): T {
  return markTrue(deleteCondition(obj, STALLED), RECONCILING, detail);
}

/** `Stalled=True`; a stalled object is not progressing, so Reconciling is removed. */
export function markStalled<T extends ConditionedObject>(obj: T, detail: ConditionDetail): T {
  return markTrue(deleteCondition(obj, RECONCILING), STALLED, detail);
}
