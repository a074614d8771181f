/**
 * The mutable state of one Kustomization run: the object whose status the steps build up, and
 * helpers to set conditions and emit events with the current Ready reason (Flux's event rule).
 */
import { ConditionType, type Kustomization, kustomizationTimeout, Reason } from "../api/index.js";
import { serviceAccountUser } from "../apply/cluster/types.js";
import {
  deleteCondition,
  getCondition,
  markReconciling,
  markTrue,
  markUnknown,
  markFalse,
} from "../runtime/conditions.js";
import type { EventRecord } from "../runtime/event-types.js";
import type { StatusFinisher } from "../runtime/finish-status.js";
import { PhaseTimer } from "../runtime/phase-timer.js";
import { formatDuration } from "../util/duration.js";
import type { KustomizationClient } from "./ports.js";

/** State shared by the steps of one reconcile. */
export class Run {
  /** The object with the status built so far. */
  obj: Kustomization;
  /** Whether anything changed in the cluster (decides the "finished" event). */
  changed = false;
  /**
   * Plaintext values SOPS decryption revealed in this run: what a scrubber must keep out of
   * conditions, events and logs. Never log this list.
   */
  readonly secretValues: string[] = [];
  readonly startedAt: number;
  /** Where this run's time went, for the debug log line at its end. */
  readonly phases = new PhaseTimer();

  constructor(
    obj: Kustomization,
    private readonly client: KustomizationClient,
    /** Writes this run's status: progress, then the end (runtime/finish-status.ts). */
    readonly status: StatusFinisher<Kustomization>,
    private readonly now: () => Date,
  ) {
    this.obj = obj;
    this.startedAt = now().getTime();
  }

  get key(): string {
    return `${this.obj.metadata.namespace ?? ""}/${this.obj.metadata.name ?? ""}`;
  }

  /** `Reconciling=True/Progressing` with a step message (Flux's wording). */
  progressing(message: string): void {
    this.obj = markReconciling(this.obj, { reason: Reason.Progressing, message, now: this.now() });
  }

  /** Ready Unknown while the run is under way. */
  readyInProgress(): void {
    this.obj = markUnknown(this.obj, ConditionType.Ready, {
      reason: Reason.Progressing,
      message: "Reconciliation in progress",
      now: this.now(),
    });
  }

  healthy(status: "True" | "False" | "Unknown", reason: string, message: string): void {
    const detail = { reason, message, now: this.now() };
    if (status === "True") this.obj = markTrue(this.obj, ConditionType.Healthy, detail);
    else if (status === "False") this.obj = markFalse(this.obj, ConditionType.Healthy, detail);
    else this.obj = markUnknown(this.obj, ConditionType.Healthy, detail);
  }

  removeHealthy(): void {
    this.obj = deleteCondition(this.obj, ConditionType.Healthy);
  }

  /** Sets status fields (never conditions). */
  setStatus(fields: Partial<NonNullable<Kustomization["status"]>>): void {
    this.obj = { ...this.obj, status: { ...this.obj.status, ...fields } };
  }

  /** Emits an event whose reason is the current Ready reason, with the revision metadata. */
  async event(
    type: EventRecord["type"],
    message: string,
    revision?: string,
    reasonOverride?: string,
  ): Promise<void> {
    const reason =
      reasonOverride ??
      getCondition(this.obj, ConditionType.Ready)?.reason ??
      (type === "Normal" ? "info" : "error");
    const metadata =
      revision === undefined ? undefined : { "kustomize.toolkit.fluxcd.io/revision": revision };
    await this.client.emitEvent(this.obj, { type, reason, message, ...(metadata ? { metadata } : {}) });
  }

  /** Writes the status built so far (progress is visible to `kubectl get` while the run works). */
  async patchStatus(): Promise<void> {
    await this.status.patch(this.obj);
  }

  /** "… for revision X with a timeout of T". */
  forRevision(what: string, revision: string): string {
    return `${what} for revision ${revision} with a timeout of ${formatDuration(kustomizationTimeout(this.obj.spec))}`;
  }
}

/** The ServiceAccount a run impersonates: `spec.serviceAccountName`, else the default, if any. */
export function serviceAccountOf(
  ks: Kustomization,
  defaultServiceAccount: string | undefined,
): string | undefined {
  const sa = ks.spec.serviceAccountName || defaultServiceAccount;
  return sa === undefined || sa === "" ? undefined : sa;
}

/** The impersonated user for a run, or undefined for the controller's own identity. */
export function impersonationOf(
  ks: Kustomization,
  defaultServiceAccount: string | undefined,
): string | undefined {
  const sa = serviceAccountOf(ks, defaultServiceAccount);
  return sa === undefined ? undefined : serviceAccountUser(ks.metadata.namespace ?? "", sa);
}
