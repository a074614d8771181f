/**
 * The Kustomization reconciler (issue 6, flux-compat §3.4): an ordered list of named steps over
 * one {@link Run}, finished by the runtime's `StatusFinisher` (suspended included).
 *
 * Reconcile shape (conventions.md): read → deletion branch / add finalizer → suspended → steps →
 * result. Every failure is a classified error (stalling, waiting, generic with `retryInterval`);
 * status is patched (as a diff) while progressing and once at the end.
 */
import {
  ConditionType,
  FINALIZER,
  type Kustomization,
  kustomizationInterval,
  kustomizationRetryInterval,
  kustomizationTimeout,
  KUSTOMIZATION_FIELDS,
  OCI_REVISION_METADATA,
  Reason,
  unsupportedField,
} from "../api/index.js";
import { ApplyError } from "../apply/cluster/errors.js";
import type { ApplyResult, OwnerRef } from "../apply/cluster/types.js";
import { formatChanges } from "../apply/changeset.js";
import type { KubeObject } from "../apply/types.js";
import { deadline } from "../runtime/deadline.js";
import { StallingError } from "../runtime/errors.js";
import type { DriftMetrics } from "../runtime/metrics.js";
import { StatusFinisher } from "../runtime/finish-status.js";
import { jitterWith } from "../runtime/jitter.js";
import {
  Results,
  type ObjectKey,
  type ReconcileContext,
  type Reconciler,
  type Result,
} from "../runtime/reconciler.js";
import { formatDuration } from "../util/duration.js";
import { type ArtifactRequest, withArtifact } from "./artifact-fetch.js";
import {
  HealthCheckCanceled,
  healthRefs,
  inventoryOf,
  reconcileApply,
  reconcileHealth,
  reconcilePrune,
  type StepContext,
  wantsHealthCheck,
} from "./apply-steps.js";
import { buildManifests } from "./build-manifests.js";
import { loadDecryptionKeys, SopsDecryption } from "./decryption.js";
import { reportDrift } from "./drift-report.js";
import { finalize } from "./finalize.js";
import type { KustomizationOptions } from "./options.js";
import type { ApplyPort, ApplyTargets, KustomizationClient } from "./ports.js";
import { loadRemoteCluster } from "./remote-kubeconfig.js";
import { NoopVerifySchedule } from "./noop-verify.js";
import { HealthWaits } from "./health-waits.js";
import type { ManifestRenderer } from "./render-pool.js";
import { impersonationOf, Run, serviceAccountOf } from "./run.js";
import { compileHealthCheckExprs } from "./cel-steps.js";
import { guardPrune, prunePolicyOf } from "./prune-guard.js";
import { type InventoryHolders, NO_HOLDERS } from "./fix-hints.js";
import {
  reconcileDependencies,
  reconcileSource,
  sourceKeyOf,
  type ResolvedSource,
  type SourceStepOptions,
} from "./source-steps.js";

/**
 * Ready carries the first apply failure, as Flux's does (issue 15); when several objects failed,
 * a Warning event lists them all, so mooring's extra detail is not lost.
 */
async function reportEveryFailure(run: Run, err: unknown, revision: string): Promise<void> {
  const failures = findApplyError(err)?.failures ?? [];
  if (failures.length < 2) return;
  const message = `${failures.length} objects failed to apply:\n${failures.join("\n")}`;
  await run.event("Warning", message, revision, Reason.ReconciliationFailed);
}

function findApplyError(err: unknown): ApplyError | undefined {
  for (let e = err; e instanceof Error; e = e.cause) if (e instanceof ApplyError) return e;
  return undefined;
}

/** What the reconciler is built from. */
export interface KustomizationReconcilerDeps {
  readonly client: KustomizationClient;
  /** The apply layer of the local cluster or of a `spec.kubeConfig` remote cluster. */
  readonly apply: ApplyTargets;
  readonly options: KustomizationOptions;
  /** Notes about drift fights per `namespace/name` (from the controller's drift limiter). */
  readonly driftNote?: (key: string) => string | undefined;
  /** Where builds run (the controller's RenderPool); in process when unset. */
  readonly renderer?: ManifestRenderer;
  /**
   * Which Kustomizations' inventories hold a CRD or Namespace (an index of the controller's
   * Kustomization cache), so failure messages can name them (issue 20); unnamed when unset.
   */
  readonly inventoryHolders?: InventoryHolders;
  /** `mooring_drift_corrections_total` on the manager's registry; uncounted when unset. */
  readonly driftMetrics?: DriftMetrics;
  readonly now?: () => Date;
}

const ownerOf = (ks: Kustomization): OwnerRef => ({
  name: ks.metadata.name ?? "",
  namespace: ks.metadata.namespace ?? "",
});

/** Reconciles `kustomize.toolkit.fluxcd.io/v1` Kustomizations. */
export class KustomizationReconciler implements Reconciler {
  /** Running health waits, so a newer source revision can cancel them. */
  readonly healthWaits = new HealthWaits();
  /** Which applies dry-run every object whatever the no-op cache says. */
  readonly noopVerify: NoopVerifySchedule;
  private readonly now: () => Date;

  constructor(private readonly deps: KustomizationReconcilerDeps) {
    this.now = deps.now ?? ((): Date => new Date());
    this.noopVerify = new NoopVerifySchedule(deps.options.verifyNoopEvery);
  }

  async reconcile(key: ObjectKey, ctx: ReconcileContext): Promise<Result> {
    const ks = await this.deps.client.getKustomization(key);
    if (ks === undefined) return Results.done();
    const sa = serviceAccountOf(ks, this.deps.options.defaultServiceAccount);
    if (ks.metadata.deletionTimestamp) {
      return finalize(ks, {
        client: this.deps.client,
        apply: () => this.applyTarget(ks),
        serviceAccount: sa,
        impersonate: impersonationOf(ks, this.deps.options.defaultServiceAccount),
        signal: ctx.signal,
        now: () => this.now().getTime(),
      });
    }
    const status = new StatusFinisher(ks, (o: Kustomization, patch) =>
      this.deps.client.patchStatus(o, patch),
    );
    const withFinalizer = await this.addFinalizer(ks);
    if (ks.spec.suspend === true) {
      ctx.log.info("Reconciliation is suspended for this object");
      const out = await status.finish(withFinalizer, "suspended", undefined, {
        intervalMs: 0,
        now: this.now(),
      });
      return out.result;
    }
    return this.run(new Run(withFinalizer, this.deps.client, status, this.now), ctx);
  }

  /** Adds the finalizer when missing; the reconcile goes on (Flux requeues, mooring need not). */
  private async addFinalizer(ks: Kustomization): Promise<Kustomization> {
    const finalizers = (ks.metadata.finalizers as string[] | undefined) ?? [];
    if (finalizers.includes(FINALIZER)) return ks;
    await this.deps.client.setFinalizers(ks, [...finalizers, FINALIZER]);
    return { ...ks, metadata: { ...ks.metadata, finalizers: [...finalizers, FINALIZER] } };
  }

  /** Runs the steps and finishes the status through the run's `StatusFinisher`. */
  private async run(run: Run, ctx: ReconcileContext): Promise<Result> {
    const ks = run.obj;
    const wasReady = ks.status?.conditions?.find((c) => c.type === ConditionType.Ready)?.status === "True";
    let revision: string | undefined;
    let error: unknown;
    try {
      revision = await this.steps(run, ctx);
    } catch (err) {
      error = err;
    }
    run.phases.lap("steps");
    const out = await run.status.finish(run.obj, "success", error, {
      intervalMs: kustomizationInterval(ks.spec),
      jitter: jitterWith(this.deps.options.jitterPercent),
      successReason: Reason.ReconciliationSucceeded,
      successMessage: this.successMessage(run, revision),
      ...(revision === undefined
        ? {}
        : { eventMetadata: { "kustomize.toolkit.fluxcd.io/revision": revision } }),
      now: this.now(),
    });
    run.obj = out.obj;
    for (const e of out.events) await this.deps.client.emitEvent(out.obj, e);
    if (error === undefined && revision !== undefined) {
      const took = formatDuration(this.now().getTime() - run.startedAt);
      const finished = `Reconciliation finished in ${took}, next run in ${ks.spec.interval}`;
      // Logged on every success, as kustomize-controller does (what `flux logs` shows); the event
      // only when something changed or Ready came back, so quiet intervals stay quiet.
      ctx.log.info({ revision }, finished);
      if (run.changed || !wasReady) await run.event("Normal", finished, revision);
    }
    if (out.failure !== undefined) ctx.log.info({ reason: out.failure.reason }, out.failure.message);
    run.phases.lap("status");
    ctx.log.debug({ phasesMs: run.phases.summary() }, "reconcile phases");
    return out.result;
  }

  private successMessage(run: Run, revision: string | undefined): string {
    const note = this.deps.driftNote?.(run.key);
    const base = `Applied revision: ${revision ?? ""}`;
    return note === undefined ? base : `${base}; ${note}`;
  }

  /** The ordered steps; returns the applied revision. */
  private async steps(run: Run, ctx: ReconcileContext): Promise<string> {
    const stall = unsupportedField(run.obj, KUSTOMIZATION_FIELDS);
    if (stall !== undefined) throw new StallingError(stall.reason, stall.message);
    const prunePolicy = prunePolicyOf(run.obj);
    const custom = compileHealthCheckExprs(run.obj);
    const opts = this.stepOptions(run.obj);
    const resolved = await reconcileSource(run.obj, this.deps.client, opts);
    const revision = resolved.artifact.revision;
    await reconcileDependencies(run.obj, revision, this.deps.client, opts);
    run.progressing(run.forRevision("Fetching manifests", revision));
    run.readyInProgress();
    if (!wantsHealthCheck(run.obj)) run.removeHealthy();
    await run.patchStatus();
    run.phases.lap("source");
    const { objects, apply } = await this.fetchAndBuild(run, resolved, ctx);
    run.phases.lap("build");
    // Before anything is applied: a refused deletion plan leaves the cluster and inventory as they were.
    guardPrune(run.obj, objects, prunePolicy, this.deps.options.pruneGuard);
    const step = {
      ...this.stepContext(run.obj, ctx),
      customHealth: custom,
      verify: this.noopVerify.next(run.key),
    };
    run.progressing(run.forRevision("Detecting drift", revision));
    const applied = await this.applyAndPrune(run, objects, { ...step, apply }, revision);
    run.phases.lap("apply");
    await this.health(run, applied, { ...step, apply }, resolved);
    run.phases.lap("health");
    // OCI artifacts name the commit they were built from (flux push artifact --revision).
    const origin = resolved.artifact.metadata?.[OCI_REVISION_METADATA];
    run.setStatus({
      lastAppliedRevision: revision,
      ...(origin === undefined ? {} : { lastAppliedOriginRevision: origin }),
    });
    return revision;
  }

  /**
   * The apply layer of the cluster `ks` applies to: the remote cluster of `spec.kubeConfig`
   * (never the local one when it is set), else the local cluster. Throws `ReconciliationFailed`
   * when the kubeconfig cannot be loaded.
   */
  private async applyTarget(ks: Kustomization): Promise<ApplyPort> {
    const remote = await loadRemoteCluster(ks, this.deps.client, kustomizationRetryInterval(ks.spec));
    return this.deps.apply.select(ownerOf(ks), remote);
  }

  /**
   * Download, verify, extract, pick the cluster, build, substitute. Sets `lastAttemptedRevision`
   * once the artifact and path are there. Errors: `ArtifactFailed` (fetch), `ReconciliationFailed`
   * (kubeConfig, in Flux's order: after the fetch, before the build), `BuildFailed` (build).
   */
  private async fetchAndBuild(
    run: Run,
    resolved: ResolvedSource,
    ctx: ReconcileContext,
  ): Promise<{ objects: KubeObject[]; apply: ApplyPort }> {
    const ks = run.obj;
    // The artifact download's deadline, released when the fetch and build are over (deadline.ts).
    const fetchDeadline = deadline(ctx.signal, kustomizationTimeout(ks.spec));
    const request = {
      artifact: resolved.artifact,
      path: ks.spec.path ?? "",
      signal: fetchDeadline.signal,
      refresh: async () => (await this.deps.client.getSource(resolved.key))?.status?.artifact,
    };
    try {
      return await this.buildIn(run, resolved, ctx, request);
    } finally {
      fetchDeadline.release();
    }
  }

  /** {@link fetchAndBuild} once its deadline is set: download, then build in the extracted tree. */
  private buildIn(
    run: Run,
    resolved: ResolvedSource,
    ctx: ReconcileContext,
    request: ArtifactRequest,
  ): Promise<{ objects: KubeObject[]; apply: ApplyPort }> {
    const ks = run.obj;
    return withArtifact(request, this.deps.options.artifact, async (fetched) => {
      run.phases.lap("fetch");
      run.setStatus({ lastAttemptedRevision: resolved.artifact.revision });
      run.progressing(run.forRevision("Building manifests", resolved.artifact.revision));
      const apply = await this.applyTarget(ks);
      const objects = await buildManifests(fetched, {
        ks,
        readConfig: (kind, name) =>
          this.deps.client.getConfigData(kind, { namespace: ks.metadata.namespace ?? "", name }),
        strictSubstitution: this.deps.options.strictSubstitution,
        retryAfterMs: kustomizationRetryInterval(ks.spec),
        ...(ks.spec.decryption === undefined ? {} : { decryption: () => this.decryption(run) }),
        limits: this.deps.options.buildLimits,
        signal: ctx.signal,
        ...(this.deps.renderer ? { renderer: this.deps.renderer } : {}),
      });
      return { objects, apply };
    });
  }

  /** The run's SOPS decryption; the values it decrypts are collected in `run.secretValues`. */
  private async decryption(run: Run): Promise<SopsDecryption> {
    const keys = await loadDecryptionKeys(run.obj, {
      readSecret: (namespace, name) => this.deps.client.getConfigData("Secret", { namespace, name }),
      ...(this.deps.options.sopsAgeSecret === undefined
        ? {}
        : { globalAgeSecret: this.deps.options.sopsAgeSecret }),
    });
    return new SopsDecryption(keys, run.secretValues);
  }

  /**
   * Apply (ReconciliationFailed; Stalled InvalidAnnotation), inventory, prune (PruneFailed;
   * never reached after a failed fetch, build or apply). Emits the change-set events; records the
   * new inventory and the drift report (Drifted; see drift-report.ts).
   */
  private async applyAndPrune(
    run: Run,
    objects: KubeObject[],
    step: StepContext & { apply: ApplyPort },
    revision: string,
  ): Promise<ApplyResult> {
    const previous = run.obj.status?.inventory?.entries ?? [];
    const applied = await reconcileApply(objects, step.apply, step).catch(async (err: unknown) => {
      await reportEveryFailure(run, err, revision);
      throw err;
    });
    const changes = formatChanges(applied.entries);
    if (changes !== "") {
      run.changed = true;
      await run.event("Normal", changes, revision);
    }
    await reportDrift(run, applied.drift, { revision, now: this.now(), metrics: this.deps.driftMetrics });
    const pruned = await reconcilePrune(previous, inventoryOf(applied.entries), step.apply, step);
    run.setStatus({ inventory: { entries: pruned.inventory } });
    if (pruned.changes !== "") {
      run.changed = true;
      await run.event("Normal", pruned.changes, revision);
    }
    if (pruned.error) throw pruned.error;
    return applied;
  }

  /** Health (Healthy condition); cancelled by a newer source revision. */
  private async health(
    run: Run,
    applied: ApplyResult,
    step: StepContext & { apply: ApplyPort },
    resolved: ResolvedSource,
  ): Promise<void> {
    if (!wantsHealthCheck(run.obj)) {
      run.removeHealthy();
      return;
    }
    const revision = resolved.artifact.revision;
    const wasHealthy =
      run.obj.status?.conditions?.find((c) => c.type === ConditionType.Healthy)?.status === "True";
    run.progressing(run.forRevision("Running health checks", revision));
    run.healthy("Unknown", Reason.Progressing, "Running health checks");
    await run.patchStatus();
    const wait = this.healthWaits.start(run.key, sourceKeyOf(run.obj), revision, step.signal);
    try {
      const message = await reconcileHealth(
        healthRefs(run.obj, applied.entries, applied.currentWhenApplied),
        step.apply,
        {
          ...step,
          signal: wait.signal,
        },
      );
      run.healthy("True", Reason.Succeeded, message);
      if (run.changed || !wasHealthy) await run.event("Normal", message, revision);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (err instanceof HealthCheckCanceled) run.healthy("Unknown", Reason.HealthCheckCanceled, message);
      else run.healthy("False", Reason.HealthCheckFailed, message);
      throw err;
    } finally {
      wait.done();
    }
  }

  private stepOptions(ks: Kustomization): SourceStepOptions {
    return {
      noCrossNamespaceRefs: this.deps.options.noCrossNamespaceRefs,
      additiveCELDependencyCheck: this.deps.options.additiveCELDependencyCheck,
      allowExternalArtifact: this.deps.options.allowExternalArtifact,
      requeueDependencyMs: this.deps.options.requeueDependencyMs,
      retryIntervalMs: kustomizationRetryInterval(ks.spec),
    };
  }

  private stepContext(ks: Kustomization, ctx: ReconcileContext): StepContext {
    return {
      ks,
      owner: ownerOf(ks),
      impersonate: impersonationOf(ks, this.deps.options.defaultServiceAccount),
      retryAfterMs: kustomizationRetryInterval(ks.spec),
      signal: ctx.signal,
      failFast: this.deps.options.healthFailFast,
      hints: {
        holders: this.deps.inventoryHolders ?? NO_HOLDERS,
        self: `${ks.metadata.namespace}/${ks.metadata.name}`,
      },
    };
  }
}
