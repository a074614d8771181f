/**
 * Errors of the cluster apply layer. The reconciler maps them to conditions: {@link ApplyError}
 * to `ReconciliationFailed`, {@link HealthCheckError} to `HealthCheckFailed`, and
 * {@link HealthCancelledError} to an immediate requeue (a newer revision is waiting).
 */
import type { ChangeSetEntry } from "../changeset.js";
import { formatChangeSet } from "../changeset.js";
import { firstWithCount } from "../../runtime/errors.js";

// The one error type of API requests (runtime/kube-request.ts), re-exported for the apply layer.
export { isNotFound, KubeApiError, type KubeStatus } from "../../runtime/kube-request.js";
import { KubeApiError } from "../../runtime/kube-request.js";

/** The kind/version has no resource on the server (CRD not installed, typo in apiVersion). */
export class NoMatchError extends Error {
  override readonly name = "NoMatchError";
}

/** Actions Flux's kustomize-controller lists in a change-set log (its `HasChanged`). */
const CHANGED = new Set(["created", "configured", "deleted"]);

/**
 * An apply failed. The message is the first failure, as Flux reports it (issue 15), followed by
 * the change-set log of what was applied before it (Flux: "include the change log in the error
 * message in case of a partial apply"). `failures` keeps every failure, for mooring's event.
 */
export class ApplyError extends Error {
  override readonly name = "ApplyError";
  readonly entries: readonly ChangeSetEntry[];
  readonly failures: readonly string[];

  constructor(failures: readonly string[], entries: readonly ChangeSetEntry[], cause?: unknown) {
    // Flux reports the first failure; the count says the list goes on (issue 14: short and
    // complete), and the reconciler's Warning event lists every one.
    const first = firstWithCount(failures, "apply failed");
    const log = formatChangeSet(entries.filter((e) => CHANGED.has(e.action)));
    super(log === "" ? first : `${first}\n${log}`, cause === undefined ? {} : { cause });
    this.entries = entries;
    this.failures = failures;
  }
}

/** The health wait ended with unhealthy objects (timeout or fail-fast). */
export class HealthCheckError extends Error {
  override readonly name = "HealthCheckError";
}

/** The health wait was cancelled through its AbortSignal. */
export class HealthCancelledError extends Error {
  override readonly name = "HealthCancelledError";
}

/**
 * A failed server-side dry-run in Flux's words (fluxcd/pkg ssa `DryRunErr`): `<Kind/ns/name>
 * dry-run failed (<Reason>): <API message>`, or `not found` / `namespace not specified` for a 404.
 */
export function dryRunFailedMessage(subject: string, namespaced: boolean, err: unknown): string {
  const text = errorText(err);
  if (err instanceof KubeApiError && err.code === 404) {
    return `${subject} ${namespaced ? "not found" : "namespace not specified"}: ${text}`;
  }
  const reason = err instanceof KubeApiError && err.reason !== "" ? ` (${err.reason})` : "";
  return `${subject} dry-run failed${reason}: ${text}`;
}

/** The API server's message for an API error, else the error's own message. */
export const errorText = (err: unknown): string =>
  err instanceof KubeApiError
    ? (err.body.message ?? err.message)
    : err instanceof Error
      ? err.message
      : String(err);
