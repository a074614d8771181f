/**
 * Wiring of a source controller: an informer over the kind, keys through Flux's default
 * predicate (created, generation changed, reconcile requested, deleted) into the runtime's
 * controller, and the reconciler reading from the informer's store. GitRepository and
 * OCIRepository register through here.
 */
import type { KubeConfig } from "../runtime/kubeconfig/index.js";
import type { Logger } from "pino";
import type { Controller } from "../runtime/controller.js";
import { fluxDefaultPredicate } from "../runtime/informer/predicates.js";
import { FreshReads } from "../runtime/informer/fresh-reads.js";
import type { Manager } from "../runtime/manager.js";
import type { BackoffOptions } from "../runtime/queue/rate-limiter.js";
import type { Reconciler } from "../runtime/reconciler.js";
import type { EventSinkFn } from "./cluster-client.js";
import type { AnySource } from "./ports.js";

/** Settings every source controller takes from the command line. */
export interface SourceControllerOptions {
  /** `--concurrent` (Flux source-controller default 2). */
  readonly concurrency?: number;
  /** `--min-retry-delay` / `--max-retry-delay` (Flux's 750 ms to 15 min when absent). */
  readonly backoff?: BackoffOptions;
  /** `--watch-label-selector`. */
  readonly labelSelector?: string;
  /** `--watch-all-namespaces=false`: watch only this namespace. */
  readonly namespace?: string;
}

/** What every source controller is built from. */
export interface SourceControllerDeps {
  readonly kubeConfig: KubeConfig;
  readonly manager: Manager;
  /** Where events go (the runtime's EventRecorder). */
  readonly recordEvent: EventSinkFn;
  readonly log?: Logger;
}

/** The kind's names and how its reconciler is made from the informer's store (read-your-writes). */
export interface SourceKindWiring<T extends AnySource> {
  readonly names: {
    readonly kind: string;
    readonly singular: string;
    readonly apiVersion: string;
    readonly plural: string;
    readonly crdName: string;
  };
  reconciler(cache: FreshReads<T & { metadata: { name?: string } }>): Reconciler;
}

/** Registers a source controller (and its informer) with the manager. */
export function registerSourceController<T extends AnySource>(
  deps: SourceControllerDeps,
  options: SourceControllerOptions,
  wiring: SourceKindWiring<T>,
): Controller {
  const informer = deps.manager.sharedInformers(deps.kubeConfig).get<T & { metadata: { name?: string } }>({
    name: wiring.names.crdName,
    apiVersion: wiring.names.apiVersion,
    plural: wiring.names.plural,
    namespace: options.namespace,
    labelSelector: options.labelSelector,
  });
  const cache = new FreshReads(informer.store);
  informer.addHandler(cache.handler);
  const controller = deps.manager.addController({
    name: wiring.names.singular,
    kind: wiring.names.kind,
    reconciler: wiring.reconciler(cache),
    concurrency: options.concurrency ?? 2,
    ...(options.backoff ? { backoff: options.backoff } : {}),
  });
  controller.watch(informer, { predicate: fluxDefaultPredicate });
  return controller;
}
