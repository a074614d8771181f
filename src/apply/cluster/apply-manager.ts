/**
 * The apply layer's entry point for the Kustomization reconciler: staged server-side apply with
 * cheap no-op reconciles, prune, health wait, and the drift hook, all as the controller or as an
 * impersonated ServiceAccount. One instance per controller process (it owns the watch caches).
 */
import { mayStillPatch } from "./access-check.js";
import { setTimeout as sleep } from "node:timers/promises";
import type { KubeConfig } from "../../runtime/kubeconfig/index.js";
import type { ChangeSetEntry } from "../changeset.js";
import { objectId } from "../inventory.js";
import { prepareForApply } from "../normalize.js";
import { isCRD, splitStages, type ApplyStage } from "../staging.js";
import { defaultCleanupOptions, type CleanupOptions } from "../takeover.js";
import { objMetadataOf, type KubeObject } from "../types.js";
import {
  abandonPlan,
  applyFailure,
  executePlan,
  planObject,
  type ApplyContext,
  type MutableStats,
} from "./apply-object.js";
import { mapLimit } from "./concurrency.js";
import { collectionPath, RestMapper } from "./discovery.js";
import { ApplyError, HealthCheckError, NoMatchError } from "./errors.js";
import { waitForHealthy } from "./health-wait.js";
import { KubeHttp } from "./http.js";
import { ObjectClient, refOf } from "./object-client.js";
import { OwnedObjects } from "./owned-objects.js";
import { deleteObjects } from "./prune.js";
import type {
  ApplyManagerOptions,
  ApplyOptions,
  ApplyResult,
  DeleteOptions,
  DeleteResult,
  DriftListener,
  HealthOptions,
  IdentityOptions,
  ObjectRef,
  OwnerRef,
} from "./types.js";

/** Flux's field manager. */
export const DEFAULT_FIELD_MANAGER = "kustomize-controller";

const emptyStats = (): MutableStats => ({
  cacheHits: 0,
  gets: 0,
  dryRuns: 0,
  applies: 0,
  cleanupPatches: 0,
  recreated: 0,
});

/** Staged apply, prune, health and drift for all Kustomizations of one controller. */
export class ApplyManager {
  private readonly client: ObjectClient;
  private readonly owned: OwnedObjects | undefined;
  private readonly fieldManager: string;
  private readonly cleanup: CleanupOptions;

  constructor(
    kubeConfig: KubeConfig,
    private readonly options: ApplyManagerOptions = {},
  ) {
    const http = new KubeHttp(kubeConfig, options.onRequest);
    this.client = new ObjectClient(http, new RestMapper(http));
    this.fieldManager = options.fieldManager ?? DEFAULT_FIELD_MANAGER;
    this.cleanup = defaultCleanupOptions(this.fieldManager, options.overrideManagers ?? []);
    this.owned = options.noOpCache === false ? undefined : new OwnedObjects(http, this.fieldManager);
  }

  /**
   * Prepares (owner labels, normalisation, commonMetadata) and applies `objects` in Flux's
   * stages, waiting for cluster definitions and `*Class` objects to be ready. Returns the change
   * set; throws {@link ApplyError} (with the partial change set) when an object fails.
   */
  async applyAllStaged(objects: readonly KubeObject[], options: ApplyOptions): Promise<ApplyResult> {
    const prepared = prepareForApply(objects, {
      owner: options.owner,
      commonMetadata: options.commonMetadata,
    });
    const stats = emptyStats();
    const client = this.client.as(options.impersonate);
    const ctx: ApplyContext = {
      client,
      owned: this.owned,
      fieldManager: this.fieldManager,
      cleanup: this.cleanup,
      options,
      stats,
      cacheHits: new Set(),
      drift: [],
      currentWhenApplied: new Set(),
      useCache: await this.mayUseCache(client, prepared, options),
    };
    const entries: ChangeSetEntry[] = [];
    for (const stage of splitStages(prepared, this.options.customStageKinds ?? [])) {
      entries.push(...(await this.applyStage(ctx, stage, entries)));
      if (stage.wait) await this.waitStage(ctx, stage, entries);
    }
    return {
      entries,
      stats: { ...stats },
      drift: [...ctx.drift],
      currentWhenApplied: ctx.currentWhenApplied,
    };
  }

  /**
   * Whether this run may decide objects from the no-op cache: not when the caller verifies
   * (`options.verify`, the periodic full check), and under impersonation only while the identity
   * may still patch what it applies (see access-check.ts).
   */
  private async mayUseCache(
    client: ObjectClient,
    objects: readonly KubeObject[],
    options: ApplyOptions,
  ): Promise<boolean> {
    if (this.owned === undefined || options.verify === true) return false;
    if (options.impersonate === undefined) return true;
    return mayStillPatch(client, objects, options.signal);
  }

  private async applyStage(
    ctx: ApplyContext,
    stage: ApplyStage,
    done: readonly ChangeSetEntry[],
  ): Promise<ChangeSetEntry[]> {
    await this.watchKinds(stage.objects);
    const limit = this.options.concurrency ?? 4;
    const planned = await mapLimit(stage.objects, limit, (obj) => planObject(ctx, obj));
    const plans = planned.flatMap((r) => (r.ok ? [r.value] : []));
    const planErrors = planned.flatMap((r) => (r.ok ? [] : [r.error]));
    if (planErrors.length > 0) {
      for (const p of plans) abandonPlan(ctx, p);
      // Flux applies nothing of a stage whose dry-runs failed: the log lists earlier stages only.
      throw applyFailure(planErrors, done);
    }
    const applied = await mapLimit(plans, limit, (plan) => executePlan(ctx, plan));
    const errors = applied.flatMap((r) => (r.ok ? [] : [r.error]));
    const entries = applied.flatMap((r) => (r.ok ? [r.value] : []));
    if (errors.length > 0) throw applyFailure(errors, [...done, ...entries]);
    return entries;
  }

  /** Starts the owned-object mirror for each kind (best effort: no mapping yet means no mirror). */
  private async watchKinds(objects: readonly KubeObject[]): Promise<void> {
    if (!this.owned) return;
    const kinds = new Map(objects.map((o) => [`${o.apiVersion}/${o.kind}`, o]));
    for (const obj of kinds.values()) {
      const mapping = await this.client.mapper.mapping(obj.apiVersion, obj.kind).catch(() => undefined);
      if (mapping) this.owned.watch(mapping, collectionPath(mapping));
    }
  }

  private async waitStage(
    ctx: ApplyContext,
    stage: ApplyStage,
    entries: readonly ChangeSetEntry[],
  ): Promise<void> {
    const { owner } = ctx.options;
    const skipped = new Set(entries.filter((e) => e.action === "skipped").map((e) => objectId(e.object)));
    const known = (id: string): boolean =>
      ctx.currentWhenApplied.has(id) || (ctx.cacheHits.has(id) && this.owned?.isReady(owner, id) === true);
    const ids = stage.objects.map((o) => objectId(objMetadataOf(o)));
    const refs = stage.objects
      .filter((_, i) => !skipped.has(ids[i] ?? "") && !known(ids[i] ?? ""))
      .map(refOf);
    try {
      await waitForHealthy(ctx.client, refs, {
        timeoutMs: this.options.stageWaitTimeoutMs ?? 60_000,
        impersonate: ctx.options.impersonate,
        signal: ctx.options.signal,
      });
    } catch (err) {
      const text = err instanceof Error ? err.message : String(err);
      throw new ApplyError([`${stage.name} not ready: ${text}`], entries, err);
    }
    this.owned?.markReady(owner, ids);
    const changed = new Set(
      entries
        .filter((e) => e.action === "created" || e.action === "configured")
        .map((e) => objectId(e.object)),
    );
    const crds = stage.objects.filter((o, i) => isCRD(o) && changed.has(ids[i] ?? ""));
    if (crds.length > 0) await this.awaitServed(crds);
  }

  /** After CRDs are Established, waits until discovery serves their kinds (it lags a little). */
  private async awaitServed(crds: readonly KubeObject[]): Promise<void> {
    for (const crd of crds) {
      const spec = crd.spec as { group?: string; names?: { kind?: string }; versions?: { name?: string }[] };
      const versions = (spec.versions ?? []).map((v) => `${spec.group ?? ""}/${v.name ?? ""}`);
      this.client.mapper.invalidate(versions);
      if (spec.names?.kind && versions[0] !== undefined) await this.awaitKind(versions[0], spec.names.kind);
    }
  }

  private async awaitKind(apiVersion: string, kind: string): Promise<void> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      try {
        await this.client.mapper.mapping(apiVersion, kind);
        return;
      } catch (err) {
        if (!(err instanceof NoMatchError) || Date.now() > deadline) throw err;
      }
      await sleep(200);
    }
  }

  /** Prunes stale inventory objects (see prune.ts). */
  deleteStale(objects: readonly ObjectRef[], options: DeleteOptions): Promise<DeleteResult> {
    return deleteObjects(this.client.as(options.impersonate), objects, options, this.owned);
  }

  /**
   * Waits until every object is kstatus Current (watch-driven). Throws {@link HealthCheckError}
   * (`timeout waiting for: [...]`) or `HealthCancelledError` when `options.signal` aborts.
   */
  waitForHealthy(objects: readonly ObjectRef[], options: HealthOptions): Promise<void> {
    return waitForHealthy(this.client.as(options.impersonate), objects, options);
  }

  /** Whether the object exists (WaitForTermination), as the given identity. */
  async objectExists(ref: ObjectRef, options: IdentityOptions = {}): Promise<boolean> {
    return (await this.client.as(options.impersonate).get(ref, options.signal)) !== undefined;
  }

  /** Subscribes to "an owned object was changed or deleted by someone else". */
  onDrift(listener: DriftListener): () => void {
    return this.owned?.onDrift(listener) ?? (() => undefined);
  }

  /** Drops what is remembered about a Kustomization (it was deleted). */
  forget(owner: OwnerRef): void {
    this.owned?.forget(owner);
  }

  /** Resolves once every started owned-object watch has listed (tests, benchmarks). */
  async whenSynced(timeoutMs = 10_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (this.owned && !this.owned.synced()) {
      if (Date.now() > deadline) return false;
      await sleep(50);
    }
    return true;
  }

  /** Stops the watches and closes the kept-alive connections. */
  async close(): Promise<void> {
    this.owned?.close();
    await this.client.http.close();
  }
}

export { ApplyError, HealthCheckError };
