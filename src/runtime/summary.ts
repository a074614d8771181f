/**
 * Flux's Ready summary (fluxcd/pkg runtime/conditions merge; flux-compat §1.4).
 *
 * Ready is derived from the other conditions rather than set by hand, so a failure condition set by
 * any step shows in Ready with its own reason. Conditions are grouped P0 abnormal-true True,
 * P1 positive False, P2 positive True, P3 abnormal False, P4 Unknown; the top group decides the
 * status, the first type of the caller's priority list within that group gives reason and message.
 */
import {
  READY,
  conditionsOf,
  getCondition,
  setCondition,
  type Condition,
  type ConditionStatus,
  type ConditionedObject,
} from "./conditions.js";

/** Which conditions Ready summarises, in priority order, and which of them are abnormal-true. */
export interface SummarySpec {
  /** The summary condition; Ready unless given. */
  readonly target?: string;
  /** Condition types considered, highest priority first (others are ignored). */
  readonly priority: readonly string[];
  /** Types in `priority` that are abnormal when True (FetchFailed, Stalled, Reconciling...). */
  readonly negativePolarity: readonly string[];
  /**
   * Types that are True when fine and False when failed (e.g. SourceVerified); the first one that is
   * False forces the summary False with its reason (source-controller's summarize helper).
   */
  readonly biPolarity?: readonly string[];
}

/** Merge priority of a condition: 0 (worst) .. 4 (Unknown). */
export function mergePriority(condition: Condition, negativePolarity: readonly string[]): number {
  const negative = negativePolarity.includes(condition.type);
  if (condition.status === "True") return negative ? 0 : 2;
  if (condition.status === "False") return negative ? 3 : 1;
  return 4;
}

/** The summary's status, reason and message, or undefined when no listed condition is present. */
export function computeSummary(
  conditions: readonly Condition[],
  spec: SummarySpec,
): { status: ConditionStatus; reason: string; message: string } | undefined {
  const considered = conditions.filter((c) => spec.priority.includes(c.type));
  if (considered.length === 0) return undefined;
  const top = Math.min(...considered.map((c) => mergePriority(c, spec.negativePolarity)));
  const group = considered.filter((c) => mergePriority(c, spec.negativePolarity) === top);
  const byPriority = [...group].sort((a, b) => spec.priority.indexOf(a.type) - spec.priority.indexOf(b.type));
  const winner = byPriority[0];
  if (winner === undefined) return undefined;
  const status: ConditionStatus = top === 4 ? "Unknown" : top === 0 || top === 1 ? "False" : "True";
  return { status, reason: winner.reason, message: winner.message };
}

/**
 * Sets the summary condition (Ready by default) from the others. When none of the listed
 * conditions is present the summary is left as it is.
 */
export function summarize<T extends ConditionedObject>(obj: T, spec: SummarySpec, now: Date = new Date()): T {
  const type = spec.target ?? READY;
  const summary = computeSummary(conditionsOf(obj), spec);
  let out = summary === undefined ? obj : setCondition(obj, { type, ...summary }, now);
  const failedBiPolar = (spec.biPolarity ?? [])
    .map((t) => getCondition(out, t))
    .find((c) => c?.status === "False");
  if (failedBiPolar !== undefined) {
    out = setCondition(
      out,
      { type, status: "False", reason: failedBiPolar.reason, message: failedBiPolar.message },
      now,
    );
  }
  return out;
}
