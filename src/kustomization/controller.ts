/**
 * Wiring of the Kustomization controller onto the runtime's {@link Manager}, like every
 * controller: informers → predicates/mappings → the manager's queue and workers → reconciler.
 * The manager owns the lifecycle: one cache-sync gate before any worker starts, one `/readyz`,
 * one leader-election boundary.
 *
 * - Kustomizations: enqueue on create, generation or `requestedAt` change, deletion.
 * - Every source kind of the one table (src/api/source-kinds.ts; ExternalArtifacts only with the
 *   `ExternalArtifact` gate, as Flux): when the artifact appears or its revision changes, cancel health waits on
 *   an older revision and enqueue the Kustomizations that reference it (an index of the
 *   Kustomization cache by sourceRef).
 * - ConfigMaps and Secrets selected by `--watch-configs-label-selector` (metadata only): a change
 *   enqueues the Kustomizations that reference them (index of the Kustomization cache).
 * - Owned objects changed or deleted by someone else (the drift hook of every cluster's
 *   ApplyManager, local or remote): requeue the owner within seconds, through a per-Kustomization
 *   {@link DriftLimiter}.
 */
import type { KubeConfig } from "../runtime/kubeconfig/index.js";
import type { Logger } from "pino";
import { SOURCE_KINDS, type SourceKindInfo, KUSTOMIZATION, type Kustomization } from "../api/index.js";
import type { DriftEvent, DriftListener, OwnerRef } from "../apply/cluster/types.js";
import type { KubeObject } from "../apply/types.js";
import type { Controller } from "../runtime/controller.js";
import { FreshReads } from "../runtime/informer/fresh-reads.js";
import type { Informer } from "../runtime/informer/informer.js";
import type { IndexFunc } from "../runtime/informer/store.js";
import { CachedKustomizationClient } from "./cached-client.js";
import type { MetaObject } from "../runtime/informer/types.js";
import type { Manager } from "../runtime/manager.js";
import { DriftMetrics } from "../runtime/metrics.js";
import { keyOf } from "../runtime/reconciler.js";
import { forgetSecretValues } from "../runtime/secret-values.js";
import { secretOwnerOf } from "./build-manifests.js";
import {
  CONFIGS_INDEX,
  configInformers,
  DEFAULT_WATCH_CONFIGS_SELECTOR,
  referencedConfigs,
} from "./config-watch.js";
import { DriftLimiter } from "./drift-limiter.js";
import { inventoryHolderKeys } from "./fix-hints.js";
import type { KustomizationOptions } from "./options.js";
import type { ApplyTargets, KustomizationClient, SourceObject } from "./ports.js";
import { KustomizationReconciler } from "./reconciler.js";
import type { ManifestRenderer } from "./render-pool.js";
import {
  alreadyAttempted,
  artifactRevision,
  kustomizationChanged,
  referencedSource,
  sourceArtifactMoved,
  sourceId,
  sourceRevisionChanged,
} from "./watch-rules.js";

/** Why health waits end when the process stops. */
const SHUTTING_DOWN = "the controller is shutting down";
/** Index of the Kustomization cache: the source each one references (`Kind/namespace/name`). */
const SOURCE_INDEX = "source";
/** Index of the Kustomization cache: the CRDs and Namespaces in each inventory (fix-hints.ts). */
const INVENTORY_INDEX = "inventory";

/** What the controller is built from. */
export interface KustomizationControllerDeps {
  /** The manager it runs on (with the GitRepository controller, in `mooring controller`). */
  readonly manager: Manager;
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
  /** Where builds run: the composition root's RenderPool; in process when unset. */
  readonly renderer?: ManifestRenderer;
}

/** The registered controller: its runtime controller (queue, workers) and its reconciler. */
export class KustomizationController {
  readonly controller: Controller;
  readonly reconciler: KustomizationReconciler;
  private readonly drift: DriftLimiter;
  private readonly kustomizations: Informer<Kustomization>;
  private unsubscribeDrift: (() => void) | undefined;

  constructor(private readonly deps: KustomizationControllerDeps) {
    this.drift = new DriftLimiter({
      burst: deps.options.driftRequeueBurst,
      refillMs: deps.options.driftRequeueMinIntervalMs,
    });
    this.kustomizations = informerFor<Kustomization>(deps, KUSTOMIZATION, {
      labelSelector: deps.labelSelector,
      indexers: {
        [CONFIGS_INDEX]: referencedConfigs,
        [SOURCE_INDEX]: referencedSource,
        [INVENTORY_INDEX]: inventoryHolderKeys,
      },
    });
    const ownWrites = new FreshReads(this.kustomizations.store);
    this.kustomizations.addHandler(ownWrites.handler);
    const sources = new Map(
      watchedSourceKinds(deps.options).map((kind) => [
        kind.kind,
        informerFor<SourceObject & KubeObject>(deps, kind),
      ]),
    );
    this.reconciler = new KustomizationReconciler({
      client: new CachedKustomizationClient(deps.client, {
        kustomizations: ownWrites,
        sources: (kind) => sources.get(kind)?.store,
      }),
      apply: deps.apply,
      options: deps.options,
      driftNote: (key) => this.drift.note(key),
      inventoryHolders: {
        holders: (key) => this.kustomizations.store.byIndex(INVENTORY_INDEX, key).map(keyOf),
      },
      driftMetrics: new DriftMetrics(deps.manager.registry),
      ...(deps.renderer ? { renderer: deps.renderer } : {}),
    });
    this.controller = deps.manager.addController({
      name: KUSTOMIZATION.singular,
      kind: KUSTOMIZATION.kind,
      reconciler: this.reconciler,
      concurrency: deps.options.concurrency,
      backoff: deps.options.backoff,
      ...(deps.log ? { log: deps.log } : {}),
    });
    this.controller.watch(this.kustomizations, {
      predicate: { create: (ks) => kustomizationChanged(undefined, ks), update: kustomizationChanged },
      onDelete: (old) => this.forget(old),
    });
    for (const informer of sources.values()) {
      this.controller.watchWith(informer, {
        onAdd: (obj) => this.onSource(undefined, obj),
        onUpdate: (old, next) => this.onSource(old, next),
      });
    }
    // Flux's DisableConfigWatchers gate: referenced ConfigMaps and Secrets are then read at each
    // reconcile only.
    if (deps.options.watchConfigs) {
      const configs = configInformers(
        {
          kubeConfig: deps.kubeConfig,
          labelSelector: deps.configsLabelSelector ?? DEFAULT_WATCH_CONFIGS_SELECTOR,
          log: deps.log,
        },
        (id) => this.onConfig(id),
      );
      for (const informer of configs) this.controller.watchWith(informer, {});
    }
    // Drift reaches the queue only while this replica leads; health waits end with the workers.
    deps.manager.addRunnable({
      start: () => (this.unsubscribeDrift = this.deps.apply.onDrift((e) => this.onDrift(e))),
      stop: () => {
        this.unsubscribeDrift?.();
        this.reconciler.healthWaits.close(SHUTTING_DOWN);
        return Promise.resolve();
      },
    });
  }

  /** Frees what a deleted Kustomization held: no-op records, drift budget, registered secrets. */
  private forget(old: Kustomization): void {
    this.deps.apply.forget({ name: old.metadata.name ?? "", namespace: old.metadata.namespace ?? "" });
    this.drift.forget(keyOf(old));
    this.reconciler.noopVerify.forget(keyOf(old));
    forgetSecretValues(secretOwnerOf(old));
  }

  /** Keys of the Kustomizations referencing source `id`, in the cache. */
  private referencing(id: string): Kustomization[] {
    return this.kustomizations.store.byIndex(SOURCE_INDEX, id);
  }

  private onSource(old: SourceObject | undefined, next: SourceObject): void {
    if (sourceArtifactMoved(old, next)) return this.retryFailedOn(next);
    if (!sourceRevisionChanged(old, next)) return;
    const revision = artifactRevision(next) ?? "";
    const ref = { kind: next.kind, namespace: next.metadata.namespace ?? "", name: next.metadata.name ?? "" };
    if (this.deps.options.cancelHealthCheckOnNewRevision) {
      for (const key of this.reconciler.healthWaits.cancelForNewRevision(ref, revision))
        this.controller.enqueue(key);
    }
    for (const ks of this.referencing(sourceId(ref.kind, ref.namespace, ref.name))) {
      if (!alreadyAttempted(ks, revision)) this.controller.enqueue(keyOf(ks));
    }
  }

  /** A watched ConfigMap or Secret changed: reconcile the Kustomizations that read it. */
  private onConfig(id: string): void {
    for (const ks of this.kustomizations.store.byIndex(CONFIGS_INDEX, id)) this.controller.enqueue(keyOf(ks));
  }

  /** Requeues the Kustomizations on `source` that are not Ready (their download may have failed). */
  private retryFailedOn(source: SourceObject): void {
    const id = sourceId(source.kind, source.metadata.namespace ?? "", source.metadata.name ?? "");
    for (const ks of this.referencing(id)) {
      const ready = ks.status?.conditions?.find((c) => c.type === "Ready");
      if (ready?.status !== "True") this.controller.enqueue(keyOf(ks));
    }
  }

  private onDrift(event: DriftEvent): void {
    const key = `${event.owner.namespace}/${event.owner.name}`;
    const decision = this.drift.admit(key, event, Date.now());
    if (decision.requeue) {
      // A running health wait holds the key: end it so that the correction runs now.
      this.reconciler.healthWaits.cancel(key, driftCancelReason(event));
      this.controller.enqueue(key);
      return;
    }
    if (decision.retryAfterMs !== undefined) this.controller.enqueueAfter(key, decision.retryAfterMs);
    const ks = this.kustomizations.store.get(key);
    if (decision.announce !== undefined && ks !== undefined) {
      const reason = ks.status?.conditions?.find((c) => c.type === "Ready")?.reason ?? "info";
      void this.deps.client.emitEvent(ks, { type: "Warning", reason, message: decision.announce });
    }
  }
}

/** The source kinds whose revisions reach Kustomizations: all, less those behind a closed gate. */
function watchedSourceKinds(options: KustomizationOptions): SourceKindInfo[] {
  return Object.values(SOURCE_KINDS).filter(
    (k) => k.kustomizationGate === undefined || options.allowExternalArtifact,
  );
}

/** The end of "Health check canceled: …" when drift ends a wait. */
function driftCancelReason(event: DriftEvent): string {
  const o = event.object;
  const what = `${o.kind} ${o.namespace ? `${o.namespace}/` : ""}${o.name}`;
  return `${what} was ${event.kind === "deleted" ? "deleted" : "changed"} by someone else; re-applying`;
}

/** A runtime informer over one Flux kind (its handlers are added by the controller's watches). */
function informerFor<T extends MetaObject>(
  deps: KustomizationControllerDeps,
  kind: { readonly crdName: string; readonly apiVersion: string; readonly plural: string },
  {
    labelSelector,
    indexers = {},
  }: { labelSelector?: string | undefined; indexers?: Record<string, IndexFunc<T>> } = {},
): Informer<T> {
  return deps.manager.sharedInformers(deps.kubeConfig).get<T>(
    {
      name: kind.crdName,
      apiVersion: kind.apiVersion,
      plural: kind.plural,
      namespace: deps.namespace,
      labelSelector,
    },
    indexers,
  );
}
