/**
 * Shared informer types: the objects it caches, the list/watch source it reads, and the handlers
 * it calls. The source is an interface so the informer's state machine is unit-tested with a
 * scripted source and integration-tested against the real API server.
 */

/** The minimum an informer needs from an object. */
export interface MetaObject {
  readonly metadata?: {
    readonly name?: string;
    readonly namespace?: string;
    readonly resourceVersion?: string;
    readonly generation?: number;
    readonly uid?: string;
    readonly annotations?: Readonly<Record<string, string>>;
    readonly labels?: Readonly<Record<string, string>>;
  };
}

/** A full list and the resourceVersion to watch from. */
export interface ListResult<T> {
  readonly items: readonly T[];
  readonly resourceVersion: string;
}

/** One watch event. ERROR carries a Status object. */
export type WatchEvent<T> =
  | { readonly type: "ADDED" | "MODIFIED" | "DELETED"; readonly object: T }
  | { readonly type: "BOOKMARK"; readonly resourceVersion: string }
  | { readonly type: "ERROR"; readonly code: number; readonly reason: string; readonly message: string };

/** Where an informer reads from. */
export interface ListWatcher<T> {
  /** Lists everything matching the selectors (paginated internally). */
  list(signal: AbortSignal): Promise<ListResult<T>>;
  /**
   * Watches from `resourceVersion`, calling `onEvent` for each event. Resolves when the server
   * closes the stream or `signal` aborts; rejects on a connection error. A watch refused with 410
   * rejects with {@link GoneError}.
   */
  watch(resourceVersion: string, onEvent: (event: WatchEvent<T>) => void, signal: AbortSignal): Promise<void>;
}

/** The resourceVersion asked for is no longer available (HTTP 410 / Status `Expired`). */
export class GoneError extends Error {
  override readonly name = "GoneError";
}

/** How a delete was learnt. */
export interface DeleteInfo {
  /**
   * True when the delete was inferred from a relist (the object was missing from the new list):
   * the object passed is the last state the informer saw (client-go DeletedFinalStateUnknown).
   */
  readonly finalStateUnknown: boolean;
}

/** Event handlers; they must only map events to keys (no work, no I/O). */
export interface InformerHandler<T> {
  onAdd?(obj: T): void;
  onUpdate?(oldObj: T, newObj: T): void;
  onDelete?(obj: T, info: DeleteInfo): void;
}
