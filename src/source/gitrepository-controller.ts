/**
 * Wiring of the GitRepository controller: an informer over GitRepositories, keys through Flux's
 * default predicate (created, generation changed, reconcile requested, deleted) into the
 * runtime's controller, and the reconciler reading from the informer's store.
 */
import type { KubeConfig } from "@kubernetes/client-node";
import type { Logger } from "pino";
import { GIT_REPOSITORY, type GitRepository } from "../api/index.js";
import type { Controller } from "../runtime/controller.js";
import { apiListWatcher } from "../runtime/informer/api-list-watcher.js";
import { Informer } from "../runtime/informer/informer.js";
import { fluxDefaultPredicate } from "../runtime/informer/predicates.js";
import type { Manager } from "../runtime/manager.js";
import type { BackoffOptions } from "../runtime/queue/rate-limiter.js";
import { ApiGitRepositoryClient, type EventSinkFn } from "./cluster-client.js";
import type { GitClient } from "./git-client.js";
import { GitRepositoryReconciler } from "./gitrepository-reconciler.js";
import type { GitRepositoryOptions } from "./gitrepository-state.js";
import type { ArtifactStorage } from "./storage.js";

/** What the controller is built from. */
export interface GitRepositoryControllerDeps {
  readonly kubeConfig: KubeConfig;
  readonly manager: Manager;
  readonly storage: ArtifactStorage;
  readonly git: GitClient;
  readonly options: GitRepositoryOptions & {
    /** `--concurrent` (Flux source-controller default 2). */
    readonly concurrency?: number;
    /** `--min-retry-delay` / `--max-retry-delay` (Flux's 750 ms to 15 min when absent). */
    readonly backoff?: BackoffOptions;
    /** `--watch-label-selector`. */
    readonly labelSelector?: string;
    /** `--watch-all-namespaces=false`: watch only this namespace. */
    readonly namespace?: string;
  };
  /** Where events go (the runtime's EventRecorder). */
  readonly recordEvent: EventSinkFn;
  readonly log?: Logger;
}

/** Registers the GitRepository controller (and its informer) with the manager. */
export function registerGitRepositoryController(deps: GitRepositoryControllerDeps): Controller {
  const informer = new Informer<GitRepository>({
    name: GIT_REPOSITORY.crdName,
    source: apiListWatcher<GitRepository>(deps.kubeConfig, {
      resource: {
        apiVersion: GIT_REPOSITORY.apiVersion,
        plural: GIT_REPOSITORY.plural,
        ...(deps.options.namespace ? { namespace: deps.options.namespace } : {}),
      },
      ...(deps.options.labelSelector ? { labelSelector: deps.options.labelSelector } : {}),
    }),
    ...(deps.log ? { log: deps.log } : {}),
  });
  const client = new ApiGitRepositoryClient(deps.kubeConfig, deps.recordEvent, informer.store);
  const reconciler = new GitRepositoryReconciler({
    client,
    storage: deps.storage,
    git: deps.git,
    options: deps.options,
  });
  const controller = deps.manager.addController({
    name: GIT_REPOSITORY.singular,
    kind: GIT_REPOSITORY.kind,
    reconciler,
    concurrency: deps.options.concurrency ?? 2,
    ...(deps.options.backoff ? { backoff: deps.options.backoff } : {}),
  });
  controller.watch(informer, { predicate: fluxDefaultPredicate });
  return controller;
}
