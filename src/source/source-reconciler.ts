/**
 * The reconcile every source kind shares (flux-compat §1.5): read, finalize or add the finalizer,
 * honour suspend, say "reconciling" before long work, run the kind's named steps in order with a
 * work directory and a deadline, then finish status through the runtime's `StatusFinisher` and
 * emit the events. GitRepository and OCIRepository are two {@link SourceKindSpec}s
 * over this one class.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Artifact, type Condition, EVENT_METADATA, FINALIZER, Reason } from "../api/index.js";
import { deadline } from "../runtime/deadline.js";
import { getCondition, markReconciling, markUnknown, READY } from "../runtime/conditions.js";
import type { EventRecord } from "../runtime/event-types.js";
import { DEFAULT_JITTER_PERCENT, jitterWith } from "../runtime/jitter.js";
import { isReconcileRequestPending } from "../runtime/reconcile-request.js";
import {
  Results,
  type ObjectKey,
  type ReconcileContext,
  type Reconciler,
  type Result,
} from "../runtime/reconciler.js";
import { StatusFinisher } from "../runtime/finish-status.js";
import type { SummarySpec } from "../runtime/summary.js";
import type { AnySource, SourceClient } from "./ports.js";
import type { ArtifactStorage } from "./storage.js";

/** A source object as this module reads it. */
export type SourceObject = AnySource & {
  status?: { artifact?: Artifact; conditions?: Condition[]; observedGeneration?: number };
};

/** What every run carries; kinds extend it with their own state. */
export interface SourceRun<T extends SourceObject> {
  obj: T;
  readonly ctx: ReconcileContext;
  readonly signal: AbortSignal;
  readonly timeoutMs: number;
  readonly workDir: string;
  /** Events of successful steps (failure events come from the result computation). */
  readonly events: EventRecord[];
  /** Secret values to scrub from messages. */
  readonly secrets: string[];
}

/** One named step of a kind's reconcile. */
export type SourceStep<D, S> = (deps: D, s: S) => Promise<void>;

/** What makes a kind: its steps, its summary, its durations and its clean-up. */
export interface SourceKindSpec<T extends SourceObject, D, S extends SourceRun<T>> {
  readonly kind: string;
  readonly steps: readonly SourceStep<D, S>[];
  readonly summary: SummarySpec;
  /** Conditions whose True status means the last run failed (for the recovery event). */
  readonly failConditions: readonly string[];
  intervalMs(obj: T): number;
  timeoutMs(obj: T): number;
  /** The kind's run state around the common part. */
  newRun(base: SourceRun<T>): S;
  /** Extra clean-up on deletion, after the stored artifacts are removed. */
  onDelete?(key: ObjectKey): Promise<void>;
}

/** What the shared reconciler needs. */
export interface SourceReconcilerDeps {
  readonly client: SourceClient<SourceObject>;
  readonly storage: ArtifactStorage;
  readonly options: {
    /** Parent of per-reconcile work dirs; the OS temp dir when absent. */
    readonly tmpDir?: string;
    /** `--interval-jitter-percentage` (default 5). */
    readonly jitterPercent?: number;
  };
}

/** Reconciles sources of one kind into artifacts. */
export class SourceReconciler<
  T extends SourceObject,
  D extends SourceReconcilerDeps,
  S extends SourceRun<T>,
> implements Reconciler {
  constructor(
    private readonly deps: D,
    private readonly spec: SourceKindSpec<T, D, S>,
  ) {}

  private get client(): SourceClient<T> {
    return this.deps.client as unknown as SourceClient<T>;
  }

  async reconcile(key: ObjectKey, ctx: ReconcileContext): Promise<Result> {
    let obj = await this.client.get(key);
    if (obj === undefined) return Results.done();
    if (obj.metadata.deletionTimestamp) return this.finalize(obj, key);
    const finalizers = (obj.metadata.finalizers as string[] | undefined) ?? [];
    if (!finalizers.includes(FINALIZER)) {
      obj = await this.client.setFinalizers(obj, [...finalizers, FINALIZER]);
      if (obj === undefined) return Results.done();
    }
    const status = new StatusFinisher(obj, (o: T, patch) => this.client.patchStatus(o, patch));
    if ((obj.spec as { suspend?: boolean }).suspend === true) return this.suspended(obj, status, ctx);
    return this.run(obj, status, ctx);
  }

  private async run(initial: T, status: StatusFinisher<T>, ctx: ReconcileContext): Promise<Result> {
    const before = initial.status;
    const obj = await this.progress(initial, status, ctx);
    const timeoutMs = this.spec.timeoutMs(obj);
    const prefix = `mooring-${this.spec.kind.toLowerCase()}-`;
    const workDir = await mkdtemp(join(this.deps.options.tmpDir ?? tmpdir(), prefix));
    // Released once the steps are over (deadline.ts: a timeout signal outlives its reconcile).
    const runDeadline = deadline(ctx.signal, timeoutMs);
    const s = this.spec.newRun({
      obj,
      ctx,
      signal: runDeadline.signal,
      timeoutMs,
      workDir,
      events: [],
      secrets: [],
    });
    let error: unknown;
    try {
      for (const step of this.spec.steps) await step(this.deps, s);
    } catch (err) {
      error = err;
    } finally {
      runDeadline.release();
      await rm(workDir, { recursive: true, force: true });
    }
    return this.finish(s, status, error, before);
  }

  /** Flux's progressive status: on a new generation or a request, say so before the long work. */
  private async progress(obj: T, status: StatusFinisher<T>, ctx: ReconcileContext): Promise<T> {
    const generation = obj.metadata.generation ?? 0;
    const observed = obj.status?.observedGeneration;
    const newGeneration = observed !== generation;
    if (!newGeneration && !isReconcileRequestPending(obj)) return obj;
    const message = newGeneration
      ? `reconciling new object generation (${generation})`
      : "reconciliation in progress";
    let out = markReconciling(obj, { reason: Reason.Progressing, message, now: ctx.now() });
    const ready = getCondition(out, READY);
    if (ready === undefined || ready.status === "Unknown")
      out = markUnknown(out, READY, { reason: Reason.Progressing, message, now: ctx.now() });
    await status.patch(out);
    return out;
  }

  private async finish(
    s: S,
    status: StatusFinisher<T>,
    error: unknown,
    before: T["status"],
  ): Promise<Result> {
    const out = await status.finish(s.obj, "success", error, {
      intervalMs: this.spec.intervalMs(s.obj),
      jitter: jitterWith(this.deps.options.jitterPercent ?? DEFAULT_JITTER_PERCENT),
      summary: this.spec.summary,
      secrets: s.secrets,
      now: s.ctx.now(),
      ...revisionMetadata(s.obj),
    });
    const recovered = error === undefined && s.events.length === 0 && this.failedBefore(before);
    const events = [...s.events, ...out.events];
    if (recovered) events.push(recoveryEvent(out.obj));
    for (const e of events) this.client.emitEvent(out.obj, e);
    if (out.failure !== undefined) s.ctx.log.info({ reason: out.failure.reason }, out.failure.message);
    return out.result;
  }

  private failedBefore(status: SourceObject["status"]): boolean {
    return (status?.conditions ?? []).some(
      (c) => this.spec.failConditions.includes(c.type) && c.status === "True",
    );
  }

  /** Suspended: record the generation and the request as seen (Flux's early return), no requeue. */
  private async suspended(obj: T, status: StatusFinisher<T>, ctx: ReconcileContext): Promise<Result> {
    ctx.log.info("reconciliation is suspended for this object");
    const out = await status.finish(obj, "suspended", undefined, {
      intervalMs: 0,
      summary: this.spec.summary,
      now: ctx.now(),
    });
    return out.result;
  }

  /** Deletion: remove the stored artifacts (and the kind's caches), then the finalizer. */
  private async finalize(obj: T, key: ObjectKey): Promise<Result> {
    await this.deps.storage.removeAll(this.spec.kind, key.namespace, key.name);
    await this.spec.onDelete?.(key);
    const finalizers = ((obj.metadata.finalizers as string[] | undefined) ?? []).filter(
      (f) => f !== FINALIZER,
    );
    await this.client.setFinalizers(obj, finalizers);
    return Results.done();
  }
}

/** Error events carry the revision of the artifact still served. */
function revisionMetadata(obj: SourceObject): { eventMetadata?: Record<string, string> } {
  const revision = obj.status?.artifact?.revision;
  return revision === undefined ? {} : { eventMetadata: { [EVENT_METADATA.sourceRevision]: revision } };
}

/** Flux's "recovered from failure" event: Ready's message, reason Succeeded. */
function recoveryEvent(obj: SourceObject): EventRecord {
  return { type: "Normal", reason: Reason.Succeeded, message: getCondition(obj, READY)?.message ?? "" };
}
