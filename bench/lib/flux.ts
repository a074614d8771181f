import { spawn, type ChildProcess } from "node:child_process";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { KubeConfig } from "@kubernetes/client-node";
import { mooringCacheDir } from "../../src/dev/control-plane/cache.js";
import { freePort } from "../../src/dev/control-plane/ports.js";
import {
  ensureFluxController,
  FLUX_CONTROLLER_VERSIONS,
  type FluxController,
  type FluxControllerName,
} from "../../src/dev/flux/controllers.js";
import { installCrdsOnce } from "./gitops.js";
import type { Workers } from "./controller-sets.js";
import { captureTail, RssSampler, type RunningControllers, stopChild, waitReady } from "./controllers.js";

/** The namespace Flux's controllers believe they run in (events and leases only; no leader election here). */
const RUNTIME_NAMESPACE = "flux-system";

/** Both controllers, built once per machine into the mooring cache. */
async function fluxBinaries(log: (l: string) => void): Promise<Record<FluxControllerName, FluxController>> {
  const cacheRoot = join(mooringCacheDir(process.env), "flux-controllers");
  return {
    "source-controller": await ensureFluxController("source-controller", { cacheRoot, log }),
    "kustomize-controller": await ensureFluxController("kustomize-controller", { cacheRoot, log }),
  };
}

/**
 * Installs the CRDs the Flux releases ship (GitRepository, Kustomization and their siblings) over
 * mooring's: a Flux round runs on Flux's own CRDs (each round has a fresh control plane).
 */
function ensureFluxCrds(kc: KubeConfig, bins: Record<FluxControllerName, FluxController>): Promise<void> {
  return installCrdsOnce(
    kc,
    Object.values(bins).map((c) => c.crdDir),
    "mooring-bench-flux",
  );
}

interface Ports {
  metrics: number;
  health: number;
}

function spawnController(binary: string, kubeconfigPath: string, ports: Ports, args: string[]): ChildProcess {
  return spawn(
    binary,
    [
      `--metrics-addr=127.0.0.1:${ports.metrics}`,
      `--health-addr=127.0.0.1:${ports.health}`,
      "--log-level=error",
      ...args,
    ],
    {
      env: { ...process.env, KUBECONFIG: kubeconfigPath, RUNTIME_NAMESPACE },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
}

const newPorts = async (): Promise<Ports> => ({ metrics: await freePort(), health: await freePort() });

/** What {@link startFlux} needs: `args` go to both controllers, `kustomizeArgs` to kustomize-controller only. */
export interface FluxStart {
  kc: KubeConfig;
  kubeconfigPath: string;
  args: string[];
  kustomizeArgs?: string[];
  workers?: Workers | undefined;
  log: (l: string) => void;
}

/**
 * Runs Flux's source-controller and kustomize-controller (the pinned releases, built from their
 * Go modules) out of cluster against the bench's control plane, watching only objects of the
 * given shard.
 */
export async function startFlux(o: FluxStart): Promise<RunningControllers> {
  const { kc, kubeconfigPath, args: extraArgs, log } = o;
  const concurrent = (n: number | undefined): string[] => (n === undefined ? [] : [`--concurrent=${n}`]);
  const bins = await fluxBinaries(log);
  await ensureFluxCrds(kc, bins);
  const dir = await mkdtemp(join(tmpdir(), "mooring-bench-flux-"));
  // source-controller refuses a storage path that does not exist yet.
  await mkdir(join(dir, "storage"));
  const storagePort = await freePort();
  const sourcePorts = await newPorts();
  const kustomizePorts = await newPorts();
  const source = spawnController(bins["source-controller"].binary, kubeconfigPath, sourcePorts, [
    `--storage-path=${join(dir, "storage")}`,
    `--storage-addr=127.0.0.1:${storagePort}`,
    `--storage-adv-addr=127.0.0.1:${storagePort}`,
    ...concurrent(o.workers?.source),
    ...extraArgs,
  ]);
  const kustomize = spawnController(bins["kustomize-controller"].binary, kubeconfigPath, kustomizePorts, [
    ...concurrent(o.workers?.kustomize),
    ...(o.kustomizeArgs ?? []),
    ...extraArgs,
  ]);
  const children = [source, kustomize];
  const tail: string[] = [];
  for (const c of children) captureTail(c, tail);
  const sampler = new RssSampler(() => children.map((c) => c.pid));
  const stop = async (): Promise<void> => {
    await sampler.sample();
    sampler.stopSampling();
    await Promise.all(children.map((c) => stopChild(c)));
    await rm(dir, { recursive: true, force: true });
  };
  const readyz = (p: Ports): string => `http://127.0.0.1:${p.health}/readyz`;
  await waitReady(children, [readyz(sourcePorts), readyz(kustomizePorts)], tail).catch(
    async (err: unknown) => {
      await stop();
      throw err;
    },
  );
  return {
    name: `Flux (source-controller ${FLUX_CONTROLLER_VERSIONS["source-controller"]}, kustomize-controller ${FLUX_CONTROLLER_VERSIONS["kustomize-controller"]})`,
    pid: kustomize.pid ?? 0,
    pids: () => children.map((c) => c.pid ?? 0),
    metricsUrl: `http://127.0.0.1:${kustomizePorts.metrics}/metrics`,
    sourceMetricsUrl: `http://127.0.0.1:${sourcePorts.metrics}/metrics`,
    outputTail: () => tail.join("\n"),
    peakRssKb: () => sampler.sample(),
    stop,
  };
}
