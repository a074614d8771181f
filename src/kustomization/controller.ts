/**
 * Wiring of the Kustomization controller: watches → keys → queue → workers → reconciler.
 *
 * - Kustomizations: enqueue on create, generation or `requestedAt` change, deletion.
 * - GitRepositories: when the artifact appears or its revision changes, cancel health waits on
 *   an older revision and enqueue the Kustomizations that reference it (index by sourceRef).
 * - ConfigMaps and Secrets selected by `--watch-configs-label-selector` (metadata only): a change
 *   enqueues the Kustomizations that reference them (index of the Kustomization cache).
 * - Owned objects changed or deleted by someone else (the drift hook of every cluster's
 *   ApplyManager, local or remote): requeue the owner within seconds, through a per-Kustomization
 *   {@link DriftLimiter}.
 *
 * SEAM: issue 3's manager (leader election, health/metrics server, shared informers) will own
 * start/stop; {@link KustomizationController} exposes the same start/stop so it can be handed
 * over as is.
 */
import type { KubeConfig } from "@kubernetes/client-node";
import pino, { type Logger } from "pino";
import type { Registry } from "prom-client";
import { GIT_REPOSITORY, KUSTOMIZATION, type Kustomization } from "../api/index.js";
import type { DriftEvent, DriftListener, OwnerRef } from "../apply/cluster/types.js";
import type { KubeObject } from "../apply/types.js";
import { messageOf } from "../runtime/errors.js";
import { ReconcileMetrics } from "../runtime/metrics.js";
import { WorkerPool } from "../runtime/queue/worker-pool.js";
import { WorkQueue } from "../runtime/queue/work-queue.js";
import { ExponentialRateLimiter } from "../runtime/queue/rate-limiter.js";
import { parseKey } from "../runtime/reconciler.js";
import { forgetSecretValues } from "../runtime/secret-values.js";
import { secretOwnerOf } from "./build-manifests.js";
import { DriftLimiter } from "./drift-limiter.js";
import { apiListWatcher } from "../runtime/informer/api-list-watcher.js";
import { Informer } from "../runtime/informer/informer.js";
import type { ObjectMetadata } from "../runtime/informer/metadata-only.js";
import type { IndexFunc } from "../runtime/informer/store.js";
import type { InformerHandler, MetaObject } from "../runtime/informer/types.js";
import {
  CONFIGS_INDEX,
  configInformers,
  DEFAULT_WATCH_CONFIGS_SELECTOR,
  referencedConfigs,
} from "./config-watch.js";
import type { KustomizationOptions } from "./options.js";
import type { ApplyTargets, KustomizationClient, SourceObject } from "./ports.js";
import { KustomizationReconciler } from "./reconciler.js";
import type { ManifestRenderer } from "./render-pool.js";
import {
  alreadyAttempted,
  artifactRevision,
  kustomizationChanged,
  SourceIndex,
  sourceArtifactMoved,
  sourceId,
  sourceRevisionChanged,
} from "./watch-rules.js";

/** Why health waits end when the process stops. */
const SHUTTING_DOWN = "the controller is shutting down";

/** What the controller is built from. */
export interface KustomizationControllerDeps {
  readonly kubeConfig: KubeConfig;
  readonly client: KustomizationClient;
  /**
   * The apply layers of the local and remote clusters ({@link ApplyClusters}, or anything with its
   * methods), with the drift hook of every cluster and `forget` for deleted Kustomizations.
   */
  readonly apply: ApplyTargets & {
    onDrift(listener: DriftListener): () => void;
    forget(owner: OwnerRef): void;
  };
  readonly options: KustomizationOptions;
  readonly log?: Logger;
  /** `--watch-label-selector`: only Kustomizations matching it are reconciled (sharding). */
  readonly labelSelector?: string | undefined;
  /** `--watch-all-namespaces=false`: watch (and so reconcile) only this namespace. */
  readonly namespace?: string | undefined;
  /**
   * `--watch-configs-label-selector`: ConfigMaps and Secrets whose changes reconcile the
   * Kustomizations referencing them at once (default `reconcile.fluxcd.io/watch=Enabled`; "" all).
   */
  readonly configsLabelSelector?: string | undefined;
  /** Where `workqueue_*` and `gotk_reconcile_duration_seconds` go (the manager's registry). */
  readonly registry?: Registry;
  /** Where builds run: the composition root's RenderPool; in process when unset. */
  readonly renderer?: ManifestRenderer;
}

/** The running controller. */
export class KustomizationController {
  readonly queue: WorkQueue;
  private readonly metrics: ReconcileMetrics | undefined;
  readonly reconciler: KustomizationReconciler;
  private readonly index = new SourceIndex();
  private readonly drift: DriftLimiter;
  private readonly pool: WorkerPool;
  private readonly log: Logger;
  private readonly kustomizations: Informer<Kustomization>;
  private readonly sources: Informer<SourceObject & KubeObject>;
  private readonly configs: Informer<ObjectMetadata>[];
  private unsubscribeDrift: (() => void) | undefined;

  constructor(private readonly deps: KustomizationControllerDeps) {
    this.queue = new WorkQueue({
      name: "kustomization",
      rateLimiter: new ExponentialRateLimiter(deps.options.backoff),
      ...(deps.registry ? { registry: deps.registry } : {}),
    });
    this.metrics = deps.registry ? new ReconcileMetrics(deps.registry) : undefined;
    this.log = deps.log ?? pino({ level: "silent" });
    this.drift = new DriftLimiter({
      burst: deps.options.driftRequeueBurst,
      refillMs: deps.options.driftRequeueMinIntervalMs,
    });
    this.reconciler = new KustomizationReconciler({
      client: deps.client,
      apply: deps.apply,
      options: deps.options,
      driftNote: (key) => this.drift.note(key),
      ...(deps.renderer ? { renderer: deps.renderer } : {}),
    });
    this.pool = new WorkerPool({
      queue: this.queue,
      concurrency: deps.options.concurrency,
      handle: (key, signal) => this.reconcileTimed(key, signal),
      onError: (key, error) => this.log.error({ key, error: messageOf(error) }, "reconcile failed"),
    });
    this.kustomizations = watch<Kustomization>(
      deps,
      KUSTOMIZATION,
      {
        onAdd: (obj) => this.onKustomization(undefined, obj),
        onUpdate: (old, next) => this.onKustomization(old, next),
        onDelete: (old) => this.onKustomizationDeleted(old),
      },
      { labelSelector: deps.labelSelector, indexers: { [CONFIGS_INDEX]: referencedConfigs } },
    );
    // Flux's DisableConfigWatchers gate: referenced ConfigMaps and Secrets are then read at each
    // reconcile only.
    this.configs = !deps.options.watchConfigs
      ? []
      : configInformers(
          {
            kubeConfig: deps.kubeConfig,
            labelSelector: deps.configsLabelSelector ?? DEFAULT_WATCH_CONFIGS_SELECTOR,
            log: deps.log,
          },
          (id) => this.onConfig(id),
        );
    this.sources = watch<SourceObject & KubeObject>(deps, GIT_REPOSITORY, {
      onAdd: (obj) => this.onSource(undefined, obj),
      onUpdate: (old, next) => this.onSource(old, next),
    });
  }

  /** One reconcile, observed in `gotk_reconcile_duration_seconds` like every controller's. */
  private async reconcileTimed(
    key: string,
    signal: AbortSignal,
  ): ReturnType<KustomizationReconciler["reconcile"]> {
    const started = performance.now();
    try {
      return await this.reconciler.reconcile(parseKey(key), this.context(key, signal));
    } finally {
      this.metrics?.recordDuration(KUSTOMIZATION.kind, parseKey(key), (performance.now() - started) / 1000);
    }
  }

  /** Starts watches and workers. */
  start(): this {
    this.unsubscribeDrift = this.deps.apply.onDrift((e) => this.onDrift(e));
    this.kustomizations.start();
    this.sources.start();
    for (const informer of this.configs) informer.start();
    this.pool.start();
    return this;
  }

  /**
   * Stops watching and drains in-flight reconciles (aborting them when `abort`). Health waits end
   * at once: they only watch the cluster, and the next leader runs them again (issue 14).
   */
  async stop(abort = false): Promise<void> {
    this.unsubscribeDrift?.();
    this.queue.shutdown();
    this.reconciler.healthWaits.close(SHUTTING_DOWN);
    await Promise.all([
      this.kustomizations.stop(),
      this.sources.stop(),
      ...this.configs.map((i) => i.stop()),
      this.pool.stop(abort),
    ]);
  }

  /** Reconciles in flight right now. */
  get active(): number {
    return this.pool.active;
  }

  /** Whether every watch has listed. */
  get synced(): boolean {
    const all = [this.kustomizations, this.sources, ...this.configs];
    return all.every((i) => i.hasSynced());
  }

  private context(key: string, signal: AbortSignal): Parameters<KustomizationReconciler["reconcile"]>[1] {
    const reconcileID = crypto.randomUUID();
    const { namespace, name } = parseKey(key);
    const log = this.log.child({
      controller: "kustomization",
      controllerKind: "Kustomization",
      name,
      namespace,
      reconcileID,
    });
    return { log, signal, reconcileID, now: () => new Date() };
  }

  private onKustomization(old: Kustomization | undefined, next: Kustomization): void {
    const key = `${next.metadata.namespace ?? ""}/${next.metadata.name ?? ""}`;
    this.index.set(key, next);
    if (kustomizationChanged(old, next)) this.queue.add(key);
  }

  private onKustomizationDeleted(old: Kustomization): void {
    const key = `${old.metadata.namespace ?? ""}/${old.metadata.name ?? ""}`;
    // Free the apply layer's no-op records of a Kustomization that is gone.
    this.deps.apply.forget({ name: old.metadata.name ?? "", namespace: old.metadata.namespace ?? "" });
    this.metrics?.deleteObject(KUSTOMIZATION.kind, parseKey(key));
    this.index.delete(key);
    this.drift.forget(key);
    forgetSecretValues(secretOwnerOf(old));
  }

  private onSource(old: SourceObject | undefined, next: SourceObject): void {
    if (sourceArtifactMoved(old, next)) return this.retryFailedOn(next);
    if (!sourceRevisionChanged(old, next)) return;
    const revision = artifactRevision(next) ?? "";
    const ref = { kind: next.kind, namespace: next.metadata.namespace ?? "", name: next.metadata.name ?? "" };
    if (this.deps.options.cancelHealthCheckOnNewRevision) {
      for (const key of this.reconciler.healthWaits.cancelForNewRevision(ref, revision)) this.queue.add(key);
    }
    for (const key of this.index.referencing(sourceId(ref.kind, ref.namespace, ref.name))) {
      const ks = this.kustomizations.store.get(key);
      if (ks !== undefined && !alreadyAttempted(ks, revision)) this.queue.add(key);
    }
  }

  /** A watched ConfigMap or Secret changed: reconcile the Kustomizations that read it. */
  private onConfig(id: string): void {
    for (const ks of this.kustomizations.store.byIndex(CONFIGS_INDEX, id)) {
      this.queue.add(`${ks.metadata.namespace ?? ""}/${ks.metadata.name ?? ""}`);
    }
  }

  /** Requeues the Kustomizations on `source` that are not Ready (their download may have failed). */
  private retryFailedOn(source: SourceObject): void {
    const id = sourceId(source.kind, source.metadata.namespace ?? "", source.metadata.name ?? "");
    for (const key of this.index.referencing(id)) {
      const ready = this.kustomizations.store.get(key)?.status?.conditions?.find((c) => c.type === "Ready");
      if (ready?.status !== "True") this.queue.add(key);
    }
  }

  private onDrift(event: DriftEvent): void {
    const key = `${event.owner.namespace}/${event.owner.name}`;
    const decision = this.drift.admit(key, event, Date.now());
    if (decision.requeue) {
      this.queue.add(key);
      return;
    }
    if (decision.retryAfterMs !== undefined) this.queue.addAfter(key, decision.retryAfterMs);
    const ks = this.kustomizations.store.get(key);
    if (decision.announce !== undefined && ks !== undefined) {
      const reason = ks.status?.conditions?.find((c) => c.type === "Ready")?.reason ?? "info";
      void this.deps.client.emitEvent(ks, { type: "Warning", reason, message: decision.announce });
    }
  }
}

/** A runtime informer over one Flux kind, wired to `handler` (which only maps events to keys). */
function watch<T extends MetaObject>(
  deps: KustomizationControllerDeps,
  kind: { readonly crdName: string; readonly apiVersion: string; readonly plural: string },
  handler: InformerHandler<T>,
  {
    labelSelector,
    indexers = {},
  }: { labelSelector?: string | undefined; indexers?: Record<string, IndexFunc<T>> } = {},
): Informer<T> {
  const informer = new Informer<T>({
    name: kind.crdName,
    indexers,
    source: apiListWatcher<T>(deps.kubeConfig, {
      resource: {
        apiVersion: kind.apiVersion,
        plural: kind.plural,
        ...(deps.namespace ? { namespace: deps.namespace } : {}),
      },
      ...(labelSelector ? { labelSelector } : {}),
    }),
    ...(deps.log ? { log: deps.log } : {}),
  });
  informer.addHandler(handler);
  return informer;
}
