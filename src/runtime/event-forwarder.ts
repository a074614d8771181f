/**
 * `--events-addr` (issue 15): every event is also POSTed to a notification endpoint as Flux's
 * controllers do (fluxcd/pkg runtime/events recorder): a JSON body with the involved object,
 * `severity` (`info` for Normal, `error` for Warning), timestamp, message, reason, metadata (the
 * event's annotations) and the reporting controller and instance. Like Flux, a failed POST is
 * retried a few times and then logged; it never fails a reconcile.
 */
import type { Logger } from "pino";
import type { EventRecord } from "./event-types.js";
import type { InvolvedObject } from "./events.js";
import { sanitizeMessage } from "./sanitize.js";

/** Flux's `eventv1.Event` as sent on the wire. */
export interface NotificationEvent {
  readonly involvedObject: InvolvedObject;
  readonly severity: "info" | "error";
  readonly timestamp: string;
  readonly message: string;
  readonly reason: string;
  readonly metadata?: Readonly<Record<string, string>>;
  readonly reportingController: string;
  readonly reportingInstance: string;
}

/** Where and as whom events are forwarded. */
export interface EventForwarderOptions {
  /** The endpoint URL (`--events-addr`). */
  readonly address: string;
  /** Flux's controller name for an object (`source-controller`, `kustomize-controller`). */
  readonly reportingController: (obj: InvolvedObject) => string;
  readonly instance: string;
  readonly log?: Logger;
  /** Attempts per event (default 4, as Flux's retrying HTTP client). */
  readonly attempts?: number;
  /** First wait between attempts; doubles each time (default 500 ms). */
  readonly retryWaitMs?: number;
}

/** The JSON body Flux's recorder would POST for `event` about `obj`. */
export function notificationEvent(
  obj: InvolvedObject,
  event: EventRecord,
  at: { reportingController: string; instance: string; now: Date },
): NotificationEvent {
  return {
    involvedObject: obj,
    severity: event.type === "Warning" ? "error" : "info",
    timestamp: at.now.toISOString().replace(/\.\d{3}Z$/, "Z"),
    message: sanitizeMessage(event.message),
    reason: event.reason,
    ...(event.metadata === undefined ? {} : { metadata: event.metadata }),
    reportingController: at.reportingController,
    reportingInstance: at.instance,
  };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** POSTs events to `--events-addr`; `forward` returns once sent or given up. */
export class EventForwarder {
  constructor(private readonly options: EventForwarderOptions) {}

  async forward(obj: InvolvedObject, event: EventRecord): Promise<void> {
    const body = JSON.stringify(
      notificationEvent(obj, event, {
        reportingController: this.options.reportingController(obj),
        instance: this.options.instance,
        now: new Date(),
      }),
    );
    const attempts = this.options.attempts ?? 4;
    let wait = this.options.retryWaitMs ?? 500;
    for (let attempt = 1; ; attempt++) {
      const problem = await this.post(body);
      if (problem === undefined) return;
      if (attempt >= attempts) {
        this.options.log?.error({ error: problem, reason: event.reason }, "unable to record event");
        return;
      }
      await sleep(wait);
      wait *= 2;
    }
  }

  /** One POST; returns the problem, or undefined on a 2xx. */
  private async post(body: string): Promise<string | undefined> {
    try {
      const res = await fetch(this.options.address, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body,
        signal: AbortSignal.timeout(15_000),
      });
      await res.body?.cancel();
      return res.ok ? undefined : `POST ${this.options.address}: HTTP ${res.status}`;
    } catch (err) {
      return `POST ${this.options.address}: ${err instanceof Error ? err.message : String(err)}`;
    }
  }
}
