/**
 * The reconcile error contract shared by every controller.
 *
 * Flux distinguishes three outcomes of a failed step: stalling (the spec is wrong; stop and wait
 * for a new generation), waiting (a dependency is not there yet; requeue at a set time) and
 * generic (retry with per-key backoff). Steps throw these classes; {@link classifyError} walks the
 * `cause` chain so a wrapped error keeps its class, and `result.ts` turns the class into
 * conditions, events and the requeue decision.
 */
import { sanitizeMessage } from "./sanitize.js";

/** Which event, if any, a failure emits. */
export type ErrorEventType = "Normal" | "Warning" | "None";

/** Options common to every reconcile error. */
export interface ReconcileErrorOptions {
  /** The underlying error, kept as the native `cause`. */
  readonly cause?: unknown;
  /** Secret values to scrub from the message (besides URL credentials, always scrubbed). */
  readonly secrets?: Iterable<string>;
  /** Override of the event type this failure emits. */
  readonly event?: ErrorEventType;
}

/** The three kinds the runtime acts on. */
export type ErrorKind = "stalling" | "waiting" | "generic";

/** Base class: a condition reason plus a sanitised, user-facing message. */
export abstract class ReconcileError extends Error {
  abstract readonly kind: ErrorKind;
  /** The condition/event reason, e.g. `GitOperationFailed`. */
  readonly reason: string;
  /** The event type emitted for this failure. */
  readonly eventType: ErrorEventType;

  protected constructor(
    reason: string,
    message: string,
    options: ReconcileErrorOptions,
    event: ErrorEventType,
  ) {
    super(
      sanitizeMessage(message, options.secrets),
      options.cause === undefined ? {} : { cause: options.cause },
    );
    this.reason = reason;
    this.eventType = options.event ?? event;
  }
}

/**
 * The object cannot make progress until its spec changes (bad URL, invalid configuration).
 * Result: `Stalled=True`, Ready False with this reason, observedGeneration stamped, no requeue.
 */
export class StallingError extends ReconcileError {
  override readonly name: string = "StallingError";
  readonly kind = "stalling" as const;

  constructor(reason: string, message: string, options: ReconcileErrorOptions = {}) {
    super(reason, message, options, "Warning");
  }
}

/**
 * controller-runtime's `TerminalError` as the Kustomization controller names it; the runtime
 * treats it exactly like {@link StallingError}.
 */
export class TerminalError extends StallingError {
  override readonly name: string = "TerminalError";
}

/** Options of {@link WaitingError}. */
export interface WaitingErrorOptions extends ReconcileErrorOptions {
  /** When to look again; the object's interval is used when absent. */
  readonly requeueAfterMs?: number;
}

/**
 * Something the object depends on is not ready (dependency, included source, artifact).
 * Result: requeue after `requeueAfterMs` (no backoff), no observedGeneration, a Normal event.
 */
export class WaitingError extends ReconcileError {
  override readonly name: string = "WaitingError";
  readonly kind = "waiting" as const;
  readonly requeueAfterMs: number | undefined;

  constructor(reason: string, message: string, options: WaitingErrorOptions = {}) {
    super(reason, message, options, "Normal");
    this.requeueAfterMs = options.requeueAfterMs;
  }
}

/** Options of {@link GenericError}. */
export interface GenericErrorOptions extends ReconcileErrorOptions {
  /**
   * Retry at this fixed delay instead of per-key backoff: the Kustomization controller's
   * `retryInterval` behaviour (flux-compat §6.1).
   */
  readonly retryAfterMs?: number;
  /**
   * A no-op error (Flux `Generic.Ignore`): recorded as an event, but the run counts as a success
   * (observedGeneration stamped, requeue at interval).
   */
  readonly ignore?: boolean;
}

/** An ordinary failure: Ready False with this reason, retry with per-key exponential backoff. */
export class GenericError extends ReconcileError {
  override readonly name: string = "GenericError";
  readonly kind = "generic" as const;
  readonly retryAfterMs: number | undefined;
  readonly ignore: boolean;

  constructor(reason: string, message: string, options: GenericErrorOptions = {}) {
    super(reason, message, options, "Warning");
    this.retryAfterMs = options.retryAfterMs;
    this.ignore = options.ignore ?? false;
  }
}

/** Reason given to errors that carry no {@link ReconcileError} in their chain. */
export const DEFAULT_FAILURE_REASON = "ReconciliationFailed";

/** Longest cause chain walked; guards against cycles. */
const MAX_CAUSE_DEPTH = 32;

/** The first {@link ReconcileError} in `err`'s cause chain (itself included), if any. */
export function findReconcileError(err: unknown): ReconcileError | undefined {
  let current: unknown = err;
  for (let depth = 0; depth < MAX_CAUSE_DEPTH && current !== undefined && current !== null; depth++) {
    if (current instanceof ReconcileError) return current;
    current = current instanceof Error ? current.cause : undefined;
  }
  return undefined;
}

/** A failure reduced to what the runtime acts on. */
export interface ClassifiedError {
  readonly kind: ErrorKind;
  readonly reason: string;
  /** Sanitised message for conditions, events and logs. */
  readonly message: string;
  /** Sanitised long form for the failure event (the message, with any error list written out). */
  readonly details: string;
  readonly eventType: ErrorEventType;
  /** Fixed requeue delay (waiting, or generic with retryAfter); undefined means backoff/interval. */
  readonly requeueAfterMs: number | undefined;
  /** Generic no-op error: treat the run as a success. */
  readonly ignore: boolean;
  readonly error: unknown;
}

/**
 * Classifies any thrown value. The outermost message is kept (it usually carries the most
 * context), the kind and reason come from the first {@link ReconcileError} in the cause chain;
 * anything else is generic with reason {@link DEFAULT_FAILURE_REASON}.
 */
export function classifyError(err: unknown, secrets: Iterable<string> = []): ClassifiedError {
  const found = findReconcileError(err);
  const raw = messageOf(err);
  const message = sanitizeMessage(raw, secrets);
  const details = sanitizeMessage(detailsOf(err, raw), secrets);
  if (found === undefined) {
    return {
      kind: "generic",
      reason: DEFAULT_FAILURE_REASON,
      message,
      details,
      eventType: "Warning",
      requeueAfterMs: undefined,
      ignore: false,
      error: err,
    };
  }
  const requeueAfterMs =
    found instanceof WaitingError
      ? found.requeueAfterMs
      : found instanceof GenericError
        ? found.retryAfterMs
        : undefined;
  const ignore = found instanceof GenericError && found.ignore;
  return {
    kind: found.kind,
    reason: found.reason,
    message,
    details,
    eventType: found.eventType,
    requeueAfterMs,
    ignore,
    error: err,
  };
}

/** The message of any thrown value (for API errors, the API server's own message). */
export function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (typeof err === "string") return err;
  try {
    return JSON.stringify(err) ?? String(err);
  } catch {
    return String(err);
  }
}

/** Longest event message built from an {@link ErrorList}; an Event is an object like any other. */
const MAX_DETAILS_LENGTH = 256 * 1024;

/** The first error and how many follow: "<first> (and 3 more errors)". */
export function firstWithCount(errors: readonly string[], empty = ""): string {
  const more = errors.length - 1;
  return `${errors[0] ?? empty}${more > 0 ? ` (and ${more} more error${more === 1 ? "" : "s"})` : ""}`;
}

/**
 * Several failures as one error (issue 14): the message is the first failure and a count, short
 * enough for a condition and complete in what it says; `details` lists every failure (as many as
 * fit in an event) and becomes the failure event's message.
 */
export class ErrorList extends Error {
  override readonly name: string = "ErrorList";
  /** Every failure, one per line, after the prefix. */
  readonly details: string;

  constructor(errors: readonly string[], prefix = "", options: { cause?: unknown } = {}) {
    super(`${prefix}${firstWithCount(errors)}`, options.cause === undefined ? {} : { cause: options.cause });
    let details = prefix + errors.join("\n");
    if (details.length > MAX_DETAILS_LENGTH) {
      let kept = 0;
      let length = prefix.length;
      while (kept < errors.length && length + errors[kept]!.length + 1 <= MAX_DETAILS_LENGTH) {
        length += errors[kept]!.length + 1;
        kept++;
      }
      details = `${prefix}${errors.slice(0, kept).join("\n")}\n(and ${errors.length - kept} more errors)`;
    }
    this.details = details;
  }
}

/**
 * The long form of `message` for the failure event: when an {@link ErrorList} (or anything with
 * `details`) is in the cause chain, its summary in `message` is replaced by its full list.
 */
export function detailsOf(err: unknown, message: string): string {
  let current: unknown = err;
  for (let depth = 0; depth < MAX_CAUSE_DEPTH && current instanceof Error; depth++) {
    const details = (current as { details?: unknown }).details;
    if (typeof details === "string") {
      return message.includes(current.message) ? message.replace(current.message, details) : message;
    }
    current = current.cause;
  }
  return message;
}
