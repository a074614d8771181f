/**
 * Drift you can audit (issue 20 item 2): what the apply step found drifted becomes
 * - for corrections: a `DriftCorrected` event naming each object, its fields and the field
 *   managers that changed them, `mooring_drift_corrections_total{kind,namespace}`, and the last
 *   {@link DRIFT_CORRECTIONS_LIMIT} corrections in `status.mooring.driftCorrections`;
 * - for detect-only drift: condition `Drifted=True` (reason `DriftDetected`) listing it, and a
 *   Warning event when that list changes. The condition is removed once nothing detected drifts.
 * Field values never appear, only paths, so Secret data cannot leak through drift reports.
 */
import {
  ConditionType,
  DRIFT_ANNOTATION,
  DRIFT_CORRECTIONS_LIMIT,
  type DriftCorrection,
  Reason,
} from "../api/index.js";
import type { ObjectDrift } from "../apply/cluster/types.js";
import { deleteCondition, formatTime, getCondition, markTrue } from "../runtime/conditions.js";
import type { DriftMetrics } from "../runtime/metrics.js";
import { formatObjectRef } from "../util/kube-object.js";
import type { Run } from "./run.js";

/** Objects listed in one event or condition message; the rest are counted. */
const MAX_OBJECTS = 10;
/** Fields listed per object in a message; the rest are counted. */
const MAX_FIELDS = 5;

const subject = (d: ObjectDrift): string => formatObjectRef(d.object);

function listed(items: readonly string[], max: number, noun: string): string {
  const more = items.length - max;
  return items.slice(0, max).join(", ") + (more > 0 ? ` and ${more} more ${noun}` : "");
}

/** `ConfigMap/apps/settings: data.mode changed by kubectl-edit`. */
export function describeDrift(d: ObjectDrift): string {
  const fields = d.fields.length === 0 ? "fields" : listed(d.fields, MAX_FIELDS, "fields");
  const by = d.managers.length === 0 ? "an unknown field manager" : d.managers.join(", ");
  return `${subject(d)}: ${fields} changed by ${by}`;
}

/** One message for several objects: a headline, then one line per object (bounded). */
export function driftMessage(headline: string, drift: readonly ObjectDrift[]): string {
  const lines = drift.slice(0, MAX_OBJECTS).map(describeDrift);
  const more = drift.length - MAX_OBJECTS;
  if (more > 0) lines.push(`and ${more} more objects`);
  return `${headline}:\n${lines.join("\n")}`;
}

/** The status entries for this run's corrections, newest first, followed by the kept ones. */
export function recentCorrections(
  corrected: readonly ObjectDrift[],
  previous: readonly DriftCorrection[],
  context: { readonly now: Date; readonly revision: string },
): DriftCorrection[] {
  const time = formatTime(context.now);
  const fresh = corrected.map((d): DriftCorrection => {
    const { group, version, kind, namespace, name } = d.object;
    return {
      time,
      apiVersion: group === "" ? version : `${group}/${version}`,
      kind,
      ...(namespace === "" ? {} : { namespace }),
      name,
      fields: [...d.fields],
      managers: [...d.managers],
      revision: context.revision,
    };
  });
  return [...fresh, ...previous].slice(0, DRIFT_CORRECTIONS_LIMIT);
}

/**
 * Records this run's drift on `run` (status, condition), emits the events, counts corrections.
 * Called after a successful apply only: a failed apply leaves the previous report in place.
 */
export async function reportDrift(
  run: Run,
  drift: readonly ObjectDrift[],
  context: { readonly revision: string; readonly now: Date; readonly metrics?: DriftMetrics | undefined },
): Promise<void> {
  const sorted = [...drift].sort((a, b) => subject(a).localeCompare(subject(b)));
  const corrected = sorted.filter((d) => d.corrected);
  const detected = sorted.filter((d) => !d.corrected);
  if (corrected.length > 0) {
    for (const d of corrected) context.metrics?.recordCorrection(d.object.kind, d.object.namespace);
    const previous = run.obj.status?.mooring?.driftCorrections ?? [];
    run.setStatus({
      mooring: {
        ...run.obj.status?.mooring,
        driftCorrections: recentCorrections(corrected, previous, context),
      },
    });
    const message = driftMessage("Drift corrected", corrected);
    await run.event("Normal", message, context.revision, Reason.DriftCorrected);
  }
  await reportDetected(run, detected, context);
}

/** Sets or clears `Drifted`; a Warning event when the set of detected drift changed. */
async function reportDetected(
  run: Run,
  detected: readonly ObjectDrift[],
  context: { readonly revision: string; readonly now: Date },
): Promise<void> {
  if (detected.length === 0) {
    run.obj = deleteCondition(run.obj, ConditionType.Drifted);
    return;
  }
  const message = driftMessage(`Drift detected and left in place (${DRIFT_ANNOTATION}: detect)`, detected);
  const before = getCondition(run.obj, ConditionType.Drifted);
  run.obj = markTrue(run.obj, ConditionType.Drifted, {
    reason: Reason.DriftDetected,
    message,
    now: context.now,
  });
  if (before?.status !== "True" || before.message !== message)
    await run.event("Warning", message, context.revision, Reason.DriftDetected);
}
