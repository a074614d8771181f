/**
 * Wiring of the ArtifactGenerator controller onto the runtime's {@link Manager}, like every
 * controller: informers → predicates/mappings → the manager's queue and workers → reconciler.
 *
 * - ArtifactGenerators: Flux's default predicate (created, generation changed, reconcile
 *   requested, deleted).
 * - Every source kind of the one table (src/api/source-kinds.ts): when a source's artifact appears
 *   or its revision changes, the generators naming it (an index of the generator cache).
 * - ExternalArtifacts: as sources (above), and as outputs: a generated one deleted, or changed to
 *   an artifact its generator did not list, requeues the generator so it is put back.
 */
import type { KubeConfig } from "../runtime/kubeconfig/index.js";
import type { Logger } from "pino";
import {
  ARTIFACT_GENERATOR,
  SOURCE_KINDS,
  type ArtifactGenerator,
  EXTERNAL_ARTIFACT,
  type ExternalArtifact,
  type SourceKindInfo,
} from "../api/index.js";
import type { SourceObject } from "../kustomization/ports.js";
import { sourceRevisionChanged } from "../kustomization/watch-rules.js";
import type { Controller } from "../runtime/controller.js";
import type { EventSinkFn } from "../runtime/events.js";
import type { Informer } from "../runtime/informer/informer.js";
import { fluxDefaultPredicate } from "../runtime/informer/predicates.js";
import type { Store } from "../runtime/informer/store.js";
import type { MetaObject } from "../runtime/informer/types.js";
import type { Manager } from "../runtime/manager.js";
import type { BackoffOptions } from "../runtime/queue/rate-limiter.js";
import { keyOf } from "../runtime/reconciler.js";
import type { ArtifactStorage } from "../source/storage.js";
import { ApiGeneratorClient } from "./client.js";
import { ArtifactGeneratorReconciler, type GeneratorOptions } from "./reconciler.js";
import { sourceNamespace } from "./sources.js";

/** Index of the generator cache: the sources each one reads (`Kind/namespace/name`). */
const SOURCE_INDEX = "source";

/** What the controller is built from. */
export interface GeneratorControllerDeps {
  readonly kubeConfig: KubeConfig;
  readonly manager: Manager;
  readonly storage: ArtifactStorage;
  readonly options: GeneratorOptions & {
    /** `--concurrent`. */
    readonly concurrency?: number;
    /** `--min-retry-delay` / `--max-retry-delay`. */
    readonly backoff?: BackoffOptions;
    /** `--watch-label-selector` (generators only; sources and outputs are watched whole). */
    readonly labelSelector?: string;
    /** `--watch-all-namespaces=false`: watch only this namespace. */
    readonly namespace?: string;
  };
  readonly recordEvent: EventSinkFn;
  readonly log?: Logger;
}

type Cached = SourceObject & MetaObject;

/** The sources a generator reads, as index values. */
export function referencedSources(ag: ArtifactGenerator): string[] {
  return ag.spec.sources.map((s) => `${s.kind}/${sourceNamespace(s, ag)}/${s.name}`);
}

function informerFor<T extends MetaObject>(
  deps: GeneratorControllerDeps,
  resource: SourceKindInfo,
  extra: { labelSelector?: string | undefined; indexers?: Record<string, (o: T) => readonly string[]> } = {},
): Informer<T> {
  return deps.manager.sharedInformers(deps.kubeConfig).get<T>(
    {
      name: resource.crdName,
      apiVersion: resource.apiVersion,
      plural: resource.plural,
      namespace: deps.options.namespace,
      labelSelector: extra.labelSelector,
    },
    extra.indexers,
  );
}

/** A generated ExternalArtifact that is gone, or holds an artifact its generator did not list. */
function outputDrifted(
  ea: ExternalArtifact,
  generators: Store<ArtifactGenerator & MetaObject>,
  deleted: boolean,
): string | undefined {
  const ref = ea.spec.sourceRef;
  if (ref?.kind !== ARTIFACT_GENERATOR.kind) return undefined;
  const key = `${ref.namespace || (ea.metadata.namespace ?? "")}/${ref.name}`;
  const ag = generators.get(key);
  if (ag === undefined) return undefined;
  const listed = (ag.status?.inventory ?? []).some(
    (r) => r.name === ea.metadata.name && r.digest === ea.status?.artifact?.digest,
  );
  return deleted || !listed ? key : undefined;
}

/** Registers the ArtifactGenerator controller (and its informers) with the manager. */
export function registerArtifactGeneratorController(deps: GeneratorControllerDeps): Controller {
  const generators = informerFor<ArtifactGenerator & MetaObject>(deps, ARTIFACT_GENERATOR, {
    labelSelector: deps.options.labelSelector,
    indexers: { [SOURCE_INDEX]: referencedSources },
  });
  const sources = new Map<string, Informer<Cached>>();
  for (const [kind, info] of Object.entries(SOURCE_KINDS)) {
    sources.set(kind, informerFor<Cached>(deps, info));
  }
  const stores = new Map<string, Store<Cached>>([...sources].map(([k, i]) => [k, i.store]));
  const eaInformer = sources.get(EXTERNAL_ARTIFACT.kind);
  if (eaInformer === undefined) throw new Error("ExternalArtifact is missing from the source kinds table");
  const eaStore = eaInformer.store as unknown as Store<ExternalArtifact & MetaObject>;
  const client = new ApiGeneratorClient(
    deps.kubeConfig,
    { generators: generators.store, externalArtifacts: eaStore, sources: stores },
    deps.recordEvent,
  );
  const reconciler = new ArtifactGeneratorReconciler({
    client,
    storage: deps.storage,
    options: deps.options,
  });
  const controller = deps.manager.addController({
    name: ARTIFACT_GENERATOR.singular,
    kind: ARTIFACT_GENERATOR.kind,
    reconciler,
    concurrency: deps.options.concurrency ?? 2,
    ...(deps.options.backoff ? { backoff: deps.options.backoff } : {}),
  });
  controller.watch(generators, { predicate: fluxDefaultPredicate });
  const onSource = (old: Cached | undefined, next: Cached): void => {
    if (!sourceRevisionChanged(old, next)) return;
    const id = `${next.kind}/${next.metadata?.namespace ?? ""}/${next.metadata?.name ?? ""}`;
    for (const ag of generators.store.byIndex(SOURCE_INDEX, id)) controller.enqueue(keyOf(ag));
  };
  const onOutput = (ea: Cached, deleted: boolean): void => {
    const key = outputDrifted(ea as unknown as ExternalArtifact, generators.store, deleted);
    if (key !== undefined) controller.enqueue(key);
  };
  for (const [kind, informer] of sources) {
    const outputs = kind === EXTERNAL_ARTIFACT.kind;
    controller.watchWith(informer, {
      onAdd: (obj) => onSource(undefined, obj),
      onUpdate: (old, next) => {
        onSource(old, next);
        if (outputs) onOutput(next, false);
      },
      ...(outputs ? { onDelete: (obj: Cached) => onOutput(obj, true) } : {}),
    });
  }
  return controller;
}
