/**
 * The GitRepository reconciler (flux-compat §1.5): read, finalize or add the finalizer, honour
 * suspend, run the named steps in order, then finish status once through the runtime's
 * `computeResult` and patch it.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  ConditionType,
  EVENT_METADATA,
  FINALIZER,
  GIT_REPOSITORY,
  Reason,
  gitRepositoryInterval,
  gitRepositoryTimeout,
  type GitRepository,
} from "../api/index.js";
import { getCondition, markReconciling, markUnknown, READY } from "../runtime/conditions.js";
import { isReconcileRequestPending } from "../runtime/reconcile-request.js";
import {
  Results,
  type ObjectKey,
  type ReconcileContext,
  type Reconciler,
  type Result,
} from "../runtime/reconciler.js";
import { DEFAULT_JITTER_PERCENT, jitterWith } from "../runtime/jitter.js";
import { computeResult } from "../runtime/result.js";
import {
  reconcileArtifact,
  reconcileFieldSupport,
  reconcileInclude,
  reconcileSource,
  reconcileStorage,
} from "./gitrepository-steps.js";
import { GIT_REPOSITORY_SUMMARY, type GitRepositoryDeps, type RunState } from "./gitrepository-state.js";

type Step = (deps: GitRepositoryDeps, s: RunState) => Promise<void>;

/** The steps, in Flux's order, after mooring's check that every spec field is supported. */
export const GIT_REPOSITORY_STEPS: readonly Step[] = [
  reconcileFieldSupport,
  reconcileStorage,
  reconcileSource,
  reconcileInclude,
  reconcileArtifact,
];

/** Reconciles GitRepositories into artifacts. */
export class GitRepositoryReconciler implements Reconciler {
  constructor(private readonly deps: GitRepositoryDeps) {}

  async reconcile(key: ObjectKey, ctx: ReconcileContext): Promise<Result> {
    let obj = await this.deps.client.get(key);
    if (obj === undefined) return Results.done();
    if (obj.metadata.deletionTimestamp) return this.finalize(obj, key);
    if (!(obj.metadata.finalizers as string[] | undefined)?.includes(FINALIZER)) {
      obj = await this.deps.client.setFinalizers(obj, [
        ...((obj.metadata.finalizers as string[] | undefined) ?? []),
        FINALIZER,
      ]);
      if (obj === undefined) return Results.done();
    }
    if (obj.spec.suspend === true) return this.suspended(obj, ctx);
    return this.run(obj, ctx);
  }

  private async run(initial: GitRepository, ctx: ReconcileContext): Promise<Result> {
    const before = initial.status;
    const obj = await this.progress(initial, ctx);
    const timeoutMs = gitRepositoryTimeout(obj.spec);
    const workDir = await mkdtemp(join(this.deps.options.tmpDir ?? tmpdir(), "mooring-gitrepo-"));
    const s: RunState = {
      obj,
      ctx,
      signal: AbortSignal.any([ctx.signal, AbortSignal.timeout(timeoutMs)]),
      timeoutMs,
      workDir,
      includes: [],
      noop: false,
      events: [],
      secrets: [],
    };
    let error: unknown;
    try {
      for (const step of GIT_REPOSITORY_STEPS) await step(this.deps, s);
    } catch (err) {
      error = err;
    } finally {
      await rm(workDir, { recursive: true, force: true });
    }
    return this.finish(s, error, before);
  }

  /** Flux's progressive status: on a new generation or a request, say so before the long work. */
  private async progress(obj: GitRepository, ctx: ReconcileContext): Promise<GitRepository> {
    const generation = obj.metadata.generation ?? 0;
    const newGeneration = obj.status?.observedGeneration !== generation;
    if (!newGeneration && !isReconcileRequestPending(obj)) return obj;
    const message = newGeneration
      ? `reconciling new object generation (${generation})`
      : "reconciliation in progress";
    let out = markReconciling(obj, { reason: Reason.Progressing, message, now: ctx.now() });
    const ready = getCondition(out, READY);
    if (ready === undefined || ready.status === "Unknown")
      out = markUnknown(out, READY, { reason: Reason.Progressing, message, now: ctx.now() });
    await this.deps.client.patchStatus(out, obj.status);
    return out;
  }

  private async finish(s: RunState, error: unknown, before: GitRepository["status"]): Promise<Result> {
    const revision = s.obj.status?.artifact?.revision;
    const out = computeResult(s.obj, "success", error, {
      intervalMs: gitRepositoryInterval(s.obj.spec),
      jitter: jitterWith(this.deps.options.jitterPercent ?? DEFAULT_JITTER_PERCENT),
      summary: GIT_REPOSITORY_SUMMARY,
      secrets: s.secrets,
      now: s.ctx.now(),
      ...(revision === undefined ? {} : { eventMetadata: { [EVENT_METADATA.sourceRevision]: revision } }),
    });
    await this.deps.client.patchStatus(out.obj, before);
    const recovered = error === undefined && s.events.length === 0 && recoveredFromFailure(before);
    const events = [...s.events, ...out.events];
    if (recovered)
      events.push({
        type: "Normal",
        reason: Reason.Succeeded,
        message: getCondition(out.obj, READY)?.message ?? "",
      });
    for (const e of events) this.deps.client.emitEvent(out.obj, e);
    if (out.failure !== undefined) s.ctx.log.info({ reason: out.failure.reason }, out.failure.message);
    return out.result;
  }

  /** Suspended: record the generation and the request as seen (Flux's early return), no requeue. */
  private async suspended(obj: GitRepository, ctx: ReconcileContext): Promise<Result> {
    ctx.log.info("reconciliation is suspended for this object");
    const out = computeResult(obj, "empty", undefined, {
      intervalMs: 0,
      summary: GIT_REPOSITORY_SUMMARY,
      now: ctx.now(),
    });
    await this.deps.client.patchStatus(out.obj, obj.status);
    return Results.done();
  }

  /** Deletion: remove the stored artifacts and the git cache, then the finalizer. */
  private async finalize(obj: GitRepository, key: ObjectKey): Promise<Result> {
    await this.deps.storage.removeAll(GIT_REPOSITORY.kind, key.namespace, key.name);
    await this.deps.git.removeCache(`${key.namespace}/${key.name}`);
    const finalizers = ((obj.metadata.finalizers as string[] | undefined) ?? []).filter(
      (f) => f !== FINALIZER,
    );
    await this.deps.client.setFinalizers(obj, finalizers);
    return Results.done();
  }
}

function recoveredFromFailure(status: GitRepository["status"]): boolean {
  const failing = [
    ConditionType.FetchFailed,
    ConditionType.IncludeUnavailable,
    ConditionType.StorageOperationFailed,
  ];
  return (status?.conditions ?? []).some(
    (c) => failing.includes(c.type as (typeof failing)[number]) && c.status === "True",
  );
}
