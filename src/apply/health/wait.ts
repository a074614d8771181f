/**
 * Deciding when a health wait is over and wording its failure the way Flux does (flux-compat
 * §4.8): `timeout waiting for: [...]` or `failed early due to stalled resources: [...]`, wrapped
 * as `health check failed after <d>: ...`.
 */
import { formatDuration } from "../../util/duration.js";
import { formatObjectRef } from "../../util/kube-object.js";
import { compareObjMetadata } from "../staging.js";
import type { ObjMetadata } from "../types.js";
import type { KStatus, StatusResult } from "./result.js";

/** The latest status of one watched object. */
export interface HealthReport {
  readonly ref: ObjMetadata;
  /** Undefined while the object has not been observed yet. */
  readonly result: StatusResult | undefined;
  /** A Job with `ttlSecondsAfterFinished`: once gone (NotFound) it counts as done. */
  readonly jobWithTTL?: boolean;
  /** An error reading the object, appended to its line. */
  readonly error?: string;
}

function effective(r: HealthReport): KStatus {
  const s = r.result?.status ?? "Unknown";
  return s === "NotFound" && r.jobWithTTL === true ? "Current" : s;
}

/**
 * Whether the wait can end now: everything Current; or only Current and Failed are left
 * (terminal, Failed never turns Current by itself); or, with `failFast`, anything Failed.
 */
export function waitIsOver(reports: readonly HealthReport[], failFast: boolean): boolean {
  const statuses = reports.map(effective);
  if (failFast && statuses.includes("Failed")) return true;
  return statuses.every((s) => s === "Current" || s === "Failed");
}

function failureLine(r: HealthReport, timedOut: boolean): string | undefined {
  const subject = formatObjectRef(r.ref);
  const status = r.result?.status;
  if (status === undefined)
    return r.jobWithTTL === true ? undefined : `can't determine status for ${subject}`;
  if (status === "NotFound" && r.jobWithTTL === true) return undefined;
  if (status !== "Failed" && !(timedOut && status !== "Current")) return undefined;
  return `${subject} status: '${status}'${r.error ? `: ${r.error}` : ""}`;
}

/**
 * The error of a finished wait, or undefined when it succeeded. Lines follow apply order so the
 * message is stable from one run to the next.
 */
export function healthFailureMessage(
  reports: readonly HealthReport[],
  timedOut: boolean,
): string | undefined {
  const lines = [...reports]
    .sort((a, b) => compareObjMetadata(a.ref, b.ref))
    .map((r) => failureLine(r, timedOut))
    .filter((l): l is string => l !== undefined);
  if (lines.length === 0) return undefined;
  const prefix = timedOut ? "timeout waiting for" : "failed early due to stalled resources";
  return `${prefix}: [${lines.join(", ")}]`;
}

/** `Healthy=False` / `HealthCheckFailed` message. */
export function healthCheckFailedMessage(elapsedMs: number, detail: string): string {
  return `health check failed after ${formatDuration(elapsedMs)}: ${detail}`;
}

/** `Healthy=True` message. */
export function healthCheckPassedMessage(elapsedMs: number): string {
  return `Health check passed in ${formatDuration(elapsedMs)}`;
}
