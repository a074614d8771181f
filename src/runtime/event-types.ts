/**
 * What a reconcile wants recorded as a Kubernetes Event, independent of how it is sent.
 *
 * The result computation is pure and returns these; the event recorder (events.ts) turns them into
 * core/v1 Events with aggregation. Keeping the type apart lets both sides import it without
 * importing each other.
 */

/** core/v1 Event types. */
export type EventType = "Normal" | "Warning";

/** One event to emit about the reconciled object. */
export interface EventRecord {
  readonly type: EventType;
  /** CamelCase reason, e.g. `NewArtifact`, `GitOperationFailed`. */
  readonly reason: string;
  /** Sanitised, user-facing text. */
  readonly message: string;
  /**
   * Flux event metadata (e.g. `source.toolkit.fluxcd.io/revision`), written as annotations on the
   * Event object.
   */
  readonly metadata?: Readonly<Record<string, string>>;
}
