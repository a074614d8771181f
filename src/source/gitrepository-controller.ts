/** Wiring of the GitRepository controller onto the shared source controller (source-controller.ts). */
import type { KubeConfig } from "../runtime/kubeconfig/index.js";
import type { Logger } from "pino";
import { GIT_REPOSITORY, type GitRepository } from "../api/index.js";
import type { Controller } from "../runtime/controller.js";
import type { Manager } from "../runtime/manager.js";
import { ApiGitRepositoryClient, type EventSinkFn } from "./cluster-client.js";
import type { GitClient } from "./git-client.js";
import { GitRepositoryReconciler } from "./gitrepository-reconciler.js";
import type { GitRepositoryOptions } from "./gitrepository-state.js";
import { registerSourceController, type SourceControllerOptions } from "./source-controller.js";
import type { ArtifactStorage } from "./storage.js";

/** What the controller is built from. */
export interface GitRepositoryControllerDeps {
  readonly kubeConfig: KubeConfig;
  readonly manager: Manager;
  readonly storage: ArtifactStorage;
  readonly git: GitClient;
  readonly options: GitRepositoryOptions & SourceControllerOptions;
  /** Where events go (the runtime's EventRecorder). */
  readonly recordEvent: EventSinkFn;
  readonly log?: Logger;
}

/** Registers the GitRepository controller (and its informer) with the manager. */
export function registerGitRepositoryController(deps: GitRepositoryControllerDeps): Controller {
  return registerSourceController<GitRepository>(deps, deps.options, {
    names: GIT_REPOSITORY,
    reconciler: (cache) =>
      new GitRepositoryReconciler({
        client: new ApiGitRepositoryClient(deps.kubeConfig, deps.recordEvent, cache),
        storage: deps.storage,
        git: deps.git,
        options: deps.options,
      }),
  });
}
