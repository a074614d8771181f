/**
 * Kubernetes Events about reconciled objects (core/v1), with client-go's protections: identical
 * repeats update one Event's `count` instead of creating new objects, and a per-object token
 * bucket drops events beyond a burst, so a failing object cannot flood the API server.
 *
 * Flux's event metadata (e.g. `source.toolkit.fluxcd.io/revision`) is written as annotations on
 * the Event, as fluxcd/pkg's recorder does. Sending never blocks or fails a reconcile: errors are
 * logged.
 */
import { createHash, randomBytes } from "node:crypto";
import type { Logger } from "pino";
import type { EventRecord } from "./event-types.js";
import { realClock, type Clock } from "./queue/clock.js";
import { sanitizeMessage } from "./sanitize.js";

/** The object an event is about. */
export interface InvolvedObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
  readonly uid?: string;
  readonly resourceVersion?: string;
}

/** Where a controller's events go (an EventRecorder's `record`). */
export type EventSinkFn = (obj: InvolvedObject, event: EventRecord) => void;

/** The involved-object reference of an event about `obj`. */
export function involvedObjectOf(obj: {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: {
    readonly name?: string;
    readonly namespace?: string;
    readonly uid?: string;
    readonly resourceVersion?: string;
  };
}): InvolvedObject {
  return {
    apiVersion: obj.apiVersion,
    kind: obj.kind,
    name: obj.metadata.name ?? "",
    namespace: obj.metadata.namespace ?? "",
    ...(obj.metadata.uid ? { uid: obj.metadata.uid } : {}),
    ...(obj.metadata.resourceVersion ? { resourceVersion: obj.metadata.resourceVersion } : {}),
  };
}

/** A core/v1 Event as JSON (the fields mooring writes). */
export interface CoreEvent {
  apiVersion: "v1";
  kind: "Event";
  metadata: { name: string; namespace: string; annotations?: Record<string, string> };
  involvedObject: InvolvedObject;
  type: string;
  reason: string;
  message: string;
  source: { component: string };
  reportingComponent: string;
  reportingInstance: string;
  firstTimestamp: string;
  lastTimestamp: string;
  count: number;
}

/** Where events go (the API server in production, an array in tests). */
export interface EventSink {
  create(event: CoreEvent): Promise<void>;
  /** Updates count and lastTimestamp of an existing event. */
  update(namespace: string, name: string, patch: { count: number; lastTimestamp: string }): Promise<void>;
}

/** Recorder settings; defaults follow client-go's EventCorrelator. */
export interface EventRecorderOptions {
  readonly sink: EventSink;
  /** `source.component` / `reportingComponent`: the controller name. */
  readonly component: string;
  /** `reportingInstance`: the pod name. */
  readonly instance?: string;
  readonly clock?: Clock;
  readonly log?: Logger;
  /** Events allowed at once per object (default 25). */
  readonly burst?: number;
  /** One token is refilled per this many ms (default 5 min). */
  readonly refillMs?: number;
  /** How long an identical event is aggregated into the same object (default 10 min). */
  readonly aggregateWindowMs?: number;
  /**
   * `--events-addr`: every event is also handed here (before aggregation and rate limiting, as
   * Flux posts every event to notification-controller).
   */
  readonly forwarder?: { forward(obj: InvolvedObject, event: EventRecord): Promise<void> };
}

interface Seen {
  readonly namespace: string;
  readonly name: string;
  count: number;
  lastAt: number;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

/**
 * Sweeps a map once it has doubled since its last sweep, so that entries no longer needed go
 * without a scan per insert (amortised O(1)), and the map stays within twice what is live.
 */
class Sweeper {
  private next: number;

  constructor(private readonly floor: number) {
    this.next = floor;
  }

  sweep<V>(map: Map<string, V>, stale: (v: V) => boolean): void {
    if (map.size < this.next) return;
    for (const [k, v] of map) if (stale(v)) map.delete(k);
    this.next = Math.max(this.floor, 2 * map.size);
  }
}

/** Records events with aggregation and rate limiting. */
export class EventRecorder {
  private readonly seen = new Map<string, Seen>();
  private readonly buckets = new Map<string, Bucket>();
  private readonly seenSweeper = new Sweeper(4096);
  private readonly bucketSweeper = new Sweeper(4096);
  private readonly clock: Clock;
  private pending = new Set<Promise<void>>();

  constructor(private readonly options: EventRecorderOptions) {
    this.clock = options.clock ?? realClock();
  }

  /** Records `event` about `obj`; returns at once (see {@link flush}). */
  record(obj: InvolvedObject, event: EventRecord): void {
    if (this.options.forwarder) this.track(this.options.forwarder.forward(obj, event));
    if (!this.allow(objectKey(obj))) {
      this.options.log?.debug({ reason: event.reason }, "event dropped by rate limit");
      return;
    }
    this.track(
      this.send(obj, event).catch((err: unknown) => {
        this.options.log?.warn({ error: err, reason: event.reason }, "failed to record event");
      }),
    );
  }

  private track(p: Promise<void>): void {
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }

  /** Waits for events being sent (for shutdown and tests). */
  async flush(): Promise<void> {
    await Promise.all([...this.pending]);
  }

  private async send(obj: InvolvedObject, event: EventRecord): Promise<void> {
    const now = this.clock.now();
    const message = sanitizeMessage(event.message);
    const key = aggregationKey(obj, event, message);
    const seen = this.seen.get(key);
    const windowMs = this.options.aggregateWindowMs ?? 600_000;
    if (seen !== undefined && now - seen.lastAt < windowMs) {
      seen.count++;
      seen.lastAt = now;
      try {
        return await this.options.sink.update(seen.namespace, seen.name, {
          count: seen.count,
          lastTimestamp: iso(now),
        });
      } catch {
        // The Event expired (events have a TTL) or never got created: start a new one.
        this.seen.delete(key);
      }
    }
    const namespace = obj.namespace || "default";
    const name = `${obj.name}.${now.toString(16)}${randomBytes(2).toString("hex")}`;
    this.seen.set(key, { namespace, name, count: 1, lastAt: now });
    this.prune(now, windowMs);
    try {
      await this.options.sink.create(this.build(obj, event, { namespace, name, message, now }));
    } catch (err) {
      this.seen.delete(key);
      throw err;
    }
  }

  private build(
    obj: InvolvedObject,
    event: EventRecord,
    at: { namespace: string; name: string; message: string; now: number },
  ): CoreEvent {
    return {
      apiVersion: "v1",
      kind: "Event",
      metadata: {
        name: at.name,
        namespace: at.namespace,
        ...(event.metadata === undefined ? {} : { annotations: { ...event.metadata } }),
      },
      involvedObject: { ...obj },
      type: event.type,
      reason: event.reason,
      message: at.message,
      source: { component: this.options.component },
      reportingComponent: this.options.component,
      reportingInstance: this.options.instance ?? this.options.component,
      firstTimestamp: iso(at.now),
      lastTimestamp: iso(at.now),
      count: 1,
    };
  }

  /** Token bucket per object. */
  private allow(key: string): boolean {
    const now = this.clock.now();
    const burst = this.options.burst ?? 25;
    const refillMs = this.options.refillMs ?? 300_000;
    const refilled = (b: Bucket): number => Math.min(burst, b.tokens + (now - b.updatedAt) / refillMs);
    // A full bucket is what a missing one stands for: objects long quiet (or deleted) are dropped.
    this.bucketSweeper.sweep(this.buckets, (old) => refilled(old) >= burst);
    const b = this.buckets.get(key) ?? { tokens: burst, updatedAt: now };
    b.tokens = refilled(b);
    b.updatedAt = now;
    this.buckets.set(key, b);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  /** Forgets aggregation entries older than the window so memory stays bounded. */
  private prune(now: number, windowMs: number): void {
    this.seenSweeper.sweep(this.seen, (s) => now - s.lastAt >= windowMs);
  }

  /** How many aggregation entries and rate-limit buckets are held (for tests of the bound). */
  held(): { aggregations: number; buckets: number } {
    return { aggregations: this.seen.size, buckets: this.buckets.size };
  }
}

/**
 * One flat string per object (join copies into one string, where a template literal would keep a
 * rope of its pieces): it is the key of the object's token bucket for the process's lifetime.
 */
function objectKey(obj: InvolvedObject): string {
  return [obj.kind, obj.namespace ?? "", obj.name, obj.uid ?? ""].join("/");
}

/**
 * What makes two events identical (object, type, reason, message), as a SHA-256 digest: the key is
 * kept for the whole aggregation window, and the text itself, with a change set's message, took
 * about 0.5 KiB per Kustomization in S6 (issue 19) where the digest takes 44 characters.
 */
function aggregationKey(obj: InvolvedObject, event: EventRecord, message: string): string {
  const text = [objectKey(obj), event.type, event.reason, message].join("\0");
  return createHash("sha256").update(text).digest("base64");
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}
