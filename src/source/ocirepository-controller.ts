/** Wiring of the OCIRepository controller onto the shared source controller (source-controller.ts). */
import type { KubeConfig } from "../runtime/kubeconfig/index.js";
import type { Logger } from "pino";
import { OCI_REPOSITORY, type OCIRepository } from "../api/index.js";
import type { Controller } from "../runtime/controller.js";
import type { Manager } from "../runtime/manager.js";
import { ApiOCIRepositoryClient, type EventSinkFn } from "./cluster-client.js";
import type { RegistryClient } from "./oci/registry-client.js";
import { OCIRepositoryReconciler } from "./ocirepository-reconciler.js";
import type { OCIRepositoryOptions } from "./ocirepository-state.js";
import { registerSourceController, type SourceControllerOptions } from "./source-controller.js";
import type { ArtifactStorage } from "./storage.js";

/** What the controller is built from. */
export interface OCIRepositoryControllerDeps {
  readonly kubeConfig: KubeConfig;
  readonly manager: Manager;
  readonly storage: ArtifactStorage;
  readonly registry: RegistryClient;
  readonly options: OCIRepositoryOptions & SourceControllerOptions;
  readonly recordEvent: EventSinkFn;
  readonly log?: Logger;
}

/** Registers the OCIRepository controller (and its informer) with the manager. */
export function registerOCIRepositoryController(deps: OCIRepositoryControllerDeps): Controller {
  return registerSourceController<OCIRepository>(deps, deps.options, {
    names: OCI_REPOSITORY,
    reconciler: (cache) =>
      new OCIRepositoryReconciler({
        client: new ApiOCIRepositoryClient(deps.kubeConfig, deps.recordEvent, cache),
        storage: deps.storage,
        registry: deps.registry,
        options: deps.options,
      }),
  });
}
