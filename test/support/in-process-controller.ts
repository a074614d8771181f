/**
 * The real controller (main.ts, build threads included) started in the test process against the
 * test cluster, reconciling only the objects of one shard, with its servers on free local ports.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { controllerConfig, type ControllerConfig, type ControllerFlags } from "../../src/config.js";
import { startController, type RunningController } from "../../src/main.js";
import { createLogger } from "../../src/runtime/logging.js";
import { kubeconfigPath } from "./kube.js";

/** Where and as whom the controller runs. */
export interface InProcessControllerOptions {
  readonly storagePath: string;
  /** `sharding.fluxcd.io/key` value of the objects it reconciles. */
  readonly shard: string;
  /** Shown as the controller's instance. */
  readonly instance: string;
  /** Aborting it stops the controller. */
  readonly signal: AbortSignal;
  /** More flags, as commander hands them over (e.g. `{ minRetryDelay: "100ms" }`). */
  readonly flags?: ControllerFlags;
}

/** Starts the controller; returns its validated config and the running handle. */
export async function startInProcessController(
  options: InProcessControllerOptions,
): Promise<{ config: ControllerConfig; running: RunningController }> {
  const config = controllerConfig(
    {
      kubeconfig: kubeconfigPath(),
      storagePath: options.storagePath,
      storageAddr: "127.0.0.1:0",
      metricsAddr: "127.0.0.1:0",
      healthAddr: "127.0.0.1:0",
      receiverAddr: "127.0.0.1:0",
      watchLabelSelector: `sharding.fluxcd.io/key=${options.shard}`,
      ...options.flags,
    },
    {},
  );
  const running = await startController(
    config,
    { inCluster: false, isTTY: false, instance: options.instance },
    options.signal,
    createLogger({ level: "error", encoding: "json" }),
  );
  return { config, running };
}

/** A controller started by {@link startOwnedController}: stop() ends it and removes its storage. */
export interface OwnedController {
  readonly running: RunningController;
  stop(): Promise<void>;
}

/**
 * Starts the controller with a storage directory and an abort signal of its own, for a test file
 * that starts it in `beforeAll` and calls `stop()` in `afterAll`.
 */
export async function startOwnedController(
  options: Omit<InProcessControllerOptions, "storagePath" | "signal">,
): Promise<OwnedController> {
  const storagePath = await mkdtemp(join(tmpdir(), `${options.instance}-storage-`));
  const abort = new AbortController();
  const { running } = await startInProcessController({ ...options, storagePath, signal: abort.signal });
  return {
    running,
    stop: async () => {
      abort.abort();
      await running.done.catch(() => undefined);
      await rm(storagePath, { recursive: true, force: true });
    },
  };
}
