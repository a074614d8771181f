/**
 * Errors of the cluster apply layer. The reconciler maps them to conditions: {@link ApplyError}
 * to `ReconciliationFailed`, {@link HealthCheckError} to `HealthCheckFailed`, and
 * {@link HealthCancelledError} to an immediate requeue (a newer revision is waiting).
 */
import type { ChangeSetEntry } from "../changeset.js";
import { formatChangeSet } from "../changeset.js";

/** A Kubernetes `Status` body as returned with API errors. */
export interface KubeStatus {
  readonly kind?: string;
  readonly status?: string;
  readonly message?: string;
  readonly reason?: string;
  readonly code?: number;
}

/**
 * A failed API request. Carries `code` and `body` where `describeApiError` (immutable.ts) looks,
 * so the pure classifiers work on it unchanged.
 */
export class KubeApiError extends Error {
  override readonly name = "KubeApiError";
  readonly code: number;
  readonly body: KubeStatus;
  readonly reason: string;

  constructor(code: number, body: KubeStatus, what: string) {
    super(`${what}: ${body.message ?? `HTTP ${code}`}`);
    this.code = code;
    this.body = body;
    this.reason = body.reason ?? "";
  }
}

/** True for a 404 from the API server. */
export function isNotFound(err: unknown): boolean {
  return err instanceof KubeApiError && err.code === 404;
}

/** True for a 403 from the API server. */
export function isForbidden(err: unknown): boolean {
  return err instanceof KubeApiError && err.code === 403;
}

/** True for a 410 Gone (watch resourceVersion too old). */
export function isGone(err: unknown): boolean {
  return err instanceof KubeApiError && err.code === 410;
}

/** The kind/version has no resource on the server (CRD not installed, typo in apiVersion). */
export class NoMatchError extends Error {
  override readonly name = "NoMatchError";
}

/**
 * An apply failed. The message names the object and the cause; `entries` is the partial
 * change set (what was done before the failure), which Flux appends to the condition message.
 */
export class ApplyError extends Error {
  override readonly name = "ApplyError";
  readonly entries: readonly ChangeSetEntry[];

  constructor(message: string, entries: readonly ChangeSetEntry[], cause?: unknown) {
    const log = formatChangeSet(entries.filter((e) => e.action !== "unchanged"));
    super(log === "" ? message : `${message}\n${log}`, cause === undefined ? {} : { cause });
    this.entries = entries;
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

/** The API server's message for an API error, else the error's own message. */
export const errorText = (err: unknown): string =>
  err instanceof KubeApiError
    ? (err.body.message ?? err.message)
    : err instanceof Error
      ? err.message
      : String(err);
