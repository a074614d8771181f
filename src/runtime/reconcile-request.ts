/**
 * On-demand reconciles (`flux reconcile ...`): the CLI writes `reconcile.fluxcd.io/requestedAt` and
 * waits until the controller echoes the value into `status.lastHandledReconcileAt`. The runtime
 * triggers a reconcile when the value changes and stamps it at the end of every run (flux-compat
 * §1.3, §8 item 6), or the CLI never returns.
 */
import type { ConditionedObject } from "./conditions.js";

/** The annotation the Flux CLI sets to request a reconcile. */
export const RECONCILE_REQUEST_ANNOTATION = "reconcile.fluxcd.io/requestedAt";

/** Anything with annotations. */
export interface Annotated {
  readonly metadata?: { readonly annotations?: Readonly<Record<string, string>> };
}

/** The requested-at value, or undefined when never requested. */
export function requestedAt(obj: Annotated | undefined): string | undefined {
  return obj?.metadata?.annotations?.[RECONCILE_REQUEST_ANNOTATION];
}

/** The status value last echoed by the controller. */
export function lastHandledReconcileAt(obj: ConditionedObject): string | undefined {
  const value = obj.status?.["lastHandledReconcileAt"];
  return typeof value === "string" ? value : undefined;
}

/** True when a request was made that the controller has not yet echoed. */
export function isReconcileRequestPending(obj: ConditionedObject): boolean {
  const value = requestedAt(obj);
  return value !== undefined && value !== lastHandledReconcileAt(obj);
}

/** Returns `obj` with `status.lastHandledReconcileAt` set to the current request (if any). */
export function withLastHandledReconcileAt<T extends ConditionedObject>(obj: T): T {
  const value = requestedAt(obj);
  if (value === undefined || value === lastHandledReconcileAt(obj)) return obj;
  return { ...obj, status: { ...obj.status, lastHandledReconcileAt: value } };
}

/**
 * Watch predicate: the request value changed between two versions (a first-time add with a value
 * counts; removing the annotation does not).
 */
export function requestedAtChanged(oldObj: Annotated | undefined, newObj: Annotated | undefined): boolean {
  const next = requestedAt(newObj);
  return next !== undefined && next !== requestedAt(oldObj);
}
