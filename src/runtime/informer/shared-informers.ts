/**
 * One informer per watched collection for the whole process (client-go's SharedInformerFactory,
 * controller-runtime's cache): the GitRepository controller, the Kustomization controller and the
 * ArtifactGenerator controller all follow GitRepositories, and each object is listed, watched and
 * held in memory once, not once per controller. Consumers add their handlers and indexes to the
 * shared informer; the manager starts it once.
 */
import type { KubeConfig } from "../kubeconfig/index.js";
import type { Logger } from "pino";
import type { ResourceRef } from "../kube-request.js";
import { apiListWatcher } from "./api-list-watcher.js";
import { Informer } from "./informer.js";
import { shareStrings } from "./shared-strings.js";
import { withoutManagedFields } from "./without-managed-fields.js";
import type { IndexFunc } from "./store.js";
import type { MetaObject } from "./types.js";

/** A collection to follow: the kind's REST names, an optional namespace and label selector. */
export interface WatchedCollection {
  /** Name in logs and metrics, e.g. `gitrepositories.source.toolkit.fluxcd.io`. */
  readonly name: string;
  readonly apiVersion: string;
  readonly plural: string;
  /** Only this namespace; all namespaces when absent or "". */
  readonly namespace?: string | undefined;
  readonly labelSelector?: string | undefined;
}

/** The process's informers over its own cluster, one per collection and selector. */
export class SharedInformers {
  private readonly informers = new Map<string, Informer<MetaObject>>();

  constructor(
    private readonly kubeConfig: KubeConfig,
    private readonly log?: Logger,
  ) {}

  /** The informer of `collection`, created on first use, with `indexers` added to its store. */
  get<T extends MetaObject>(
    collection: WatchedCollection,
    indexers: Readonly<Record<string, IndexFunc<T>>> = {},
  ): Informer<T> {
    const resource: ResourceRef = {
      apiVersion: collection.apiVersion,
      plural: collection.plural,
      ...(collection.namespace ? { namespace: collection.namespace } : {}),
    };
    const key = JSON.stringify([
      resource.apiVersion,
      resource.plural,
      resource.namespace ?? "",
      collection.labelSelector ?? "",
    ]);
    let informer = this.informers.get(key) as Informer<T> | undefined;
    if (informer === undefined) {
      informer = new Informer<T>({
        name: collection.name,
        // Flux kinds: nothing here reads the field managers' bookkeeping (see the transform), and
        // thousands of them repeat the same strings (see shared-strings.ts).
        transform: (obj) => shareStrings(withoutManagedFields(obj)),
        source: apiListWatcher<T>(this.kubeConfig, {
          resource,
          ...(collection.labelSelector ? { labelSelector: collection.labelSelector } : {}),
        }),
        ...(this.log ? { log: this.log } : {}),
      });
      this.informers.set(key, informer as unknown as Informer<MetaObject>);
    }
    informer.store.addIndexers(indexers);
    return informer;
  }

  /** How many distinct informers exist (for tests and the startup log). */
  get size(): number {
    return this.informers.size;
  }
}
