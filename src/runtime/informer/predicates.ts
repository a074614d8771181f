/**
 * Event filtering and mapping to keys. Handlers never do work: they decide, through predicates,
 * whether an event matters and which keys it concerns, and enqueue those keys.
 *
 * Flux's controllers reconcile their own kind on create, delete, a generation change (spec edits,
 * deletion) or a changed `reconcile.fluxcd.io/requestedAt`; status-only updates never trigger
 * (flux-compat §6.1).
 */
import { requestedAtChanged } from "../reconcile-request.js";
import { keyOf } from "../reconciler.js";
import type { DeleteInfo, InformerHandler, MetaObject } from "./types.js";

/** Decides whether an event is worth a reconcile; a missing function means "yes". */
export interface Predicate<T> {
  readonly create?: (obj: T) => boolean;
  readonly update?: (oldObj: T, newObj: T) => boolean;
  readonly delete?: (obj: T) => boolean;
}

/** Passes updates that change `metadata.generation` (spec changes, deletion requests). */
export const generationChanged: Predicate<MetaObject> = {
  update: (o, n) => o.metadata?.generation !== n.metadata?.generation,
};

/** Passes updates that change the reconcile-request annotation value. */
export const reconcileRequested: Predicate<MetaObject> = {
  update: (o, n) => requestedAtChanged(o, n),
};

/** An event passes if any predicate passes it. */
export function or<T>(...predicates: readonly Predicate<T>[]): Predicate<T> {
  return {
    create: (obj) => predicates.some((p) => p.create?.(obj) ?? true),
    update: (o, n) => predicates.some((p) => p.update?.(o, n) ?? true),
    delete: (obj) => predicates.some((p) => p.delete?.(obj) ?? true),
  };
}

/** Flux's default for a controller's own kind: generation changed OR reconcile requested. */
export const fluxDefaultPredicate: Predicate<MetaObject> = or(generationChanged, reconcileRequested);

/** Options of {@link enqueueHandler}. */
export interface EnqueueOptions<T> {
  readonly enqueue: (key: string) => void;
  readonly predicate?: Predicate<T>;
  /** Keys an event concerns; the object's own key by default (e.g. map a source to its users). */
  readonly mapToKeys?: (obj: T) => readonly string[];
  /** Called for deletes that passed the predicate, before enqueueing (e.g. drop metrics). */
  readonly onDelete?: (obj: T, info: DeleteInfo) => void;
}

/** An informer handler that filters events and enqueues keys, nothing else. */
export function enqueueHandler<T extends MetaObject>(options: EnqueueOptions<T>): InformerHandler<T> {
  const keys = options.mapToKeys ?? ((obj: T): readonly string[] => [keyOf(obj)]);
  const p = options.predicate ?? {};
  const push = (obj: T): void => keys(obj).forEach((k) => options.enqueue(k));
  return {
    onAdd: (obj) => {
      if (p.create?.(obj) ?? true) push(obj);
    },
    onUpdate: (o, n) => {
      if (p.update?.(o, n) ?? true) push(n);
    },
    onDelete: (obj, info) => {
      if (!(p.delete?.(obj) ?? true)) return;
      options.onDelete?.(obj, info);
      push(obj);
    },
  };
}
