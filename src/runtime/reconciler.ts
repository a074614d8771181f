/**
 * The contract between the runtime and a controller: `reconcile(key, ctx) → Promise<Result>`.
 *
 * Controllers know nothing of queues and workers; they say what should happen next (nothing, look
 * again at a time, retry with backoff) and the worker translates that into queue operations with
 * controller-runtime semantics. A thrown error is the same as {@link Results.backoff}.
 */
import type { Logger } from "pino";

/** A namespaced object name; the unit of work. */
export interface ObjectKey {
  readonly namespace: string;
  readonly name: string;
}

/** What to do with a key after a reconcile. */
export type Result =
  /** Forget the key until the next watch event. */
  | { readonly kind: "done" }
  /** Forget the failure count and look again after `afterMs` (success interval, waits). */
  | { readonly kind: "requeue-after"; readonly afterMs: number }
  /** Requeue through the rate limiter (controller-runtime `Requeue: true`). */
  | { readonly kind: "requeue" }
  /** Failure: requeue with per-key exponential backoff; `error` is logged. */
  | { readonly kind: "backoff"; readonly error: unknown };

/** Constructors for {@link Result}. */
export const Results = {
  done: (): Result => ({ kind: "done" }),
  after: (afterMs: number): Result => ({ kind: "requeue-after", afterMs }),
  requeue: (): Result => ({ kind: "requeue" }),
  backoff: (error: unknown): Result => ({ kind: "backoff", error }),
} as const;

/** Per-reconcile context handed in by the worker. */
export interface ReconcileContext {
  /** Child logger carrying controller, kind, name, namespace and reconcileID. */
  readonly log: Logger;
  /** Aborted on shutdown, on the reconcile timeout, or when the run is superseded. */
  readonly signal: AbortSignal;
  /** Unique ID of this run (also in every log line). */
  readonly reconcileID: string;
  /** The controller's clock. */
  readonly now: () => Date;
}

/** Implemented by each controller (GitRepository, Kustomization). */
export interface Reconciler {
  reconcile(key: ObjectKey, ctx: ReconcileContext): Promise<Result>;
}

/** `namespace/name` (or `name` for cluster-scoped objects): the queue's key format. */
export function formatKey(key: ObjectKey): string {
  // join makes one flat string where a template literal keeps a rope of the pieces: keys live in
  // the caches, queues and maps of every object for as long as it exists (issue 19).
  return key.namespace === "" ? key.name : [key.namespace, key.name].join("/");
}

/** Inverse of {@link formatKey}. */
export function parseKey(key: string): ObjectKey {
  const slash = key.indexOf("/");
  return slash === -1
    ? { namespace: "", name: key }
    : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

/** The key of an object's metadata. */
export function keyOf(obj: {
  readonly metadata?: { readonly name?: string; readonly namespace?: string };
}): string {
  return formatKey({ namespace: obj.metadata?.namespace ?? "", name: obj.metadata?.name ?? "" });
}
