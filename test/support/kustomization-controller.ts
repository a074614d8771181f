/**
 * The Kustomization controller alone on its own runtime Manager (as `mooring controller` runs it,
 * without the GitRepository controller, probes or leader election), for tests that pair it with a
 * source controller of their own.
 */
import pino from "pino";
import { Registry } from "prom-client";
import {
  KustomizationController,
  type KustomizationControllerDeps,
} from "../../src/kustomization/controller.js";
import { Manager } from "../../src/runtime/manager.js";

/** A started controller and the call that stops it. */
export interface RunningKustomizationController {
  readonly controller: KustomizationController;
  readonly manager: Manager;
  /** Stops the manager: in-flight reconciles get a short drain, then are aborted. */
  stop(): Promise<void>;
}

/** Registers the controller on a fresh Manager and starts it (caches sync before workers run). */
export function startKustomizationController(
  deps: Omit<KustomizationControllerDeps, "manager">,
): RunningKustomizationController {
  const manager = new Manager({
    log: deps.log ?? pino({ level: "silent" }),
    registry: new Registry(),
    gracefulShutdownTimeoutMs: 1_000,
  });
  const controller = new KustomizationController({ ...deps, manager });
  const abort = new AbortController();
  const done = manager.start(abort.signal);
  return {
    controller,
    manager,
    stop: async () => {
      abort.abort();
      await done.catch(() => undefined);
    },
  };
}
