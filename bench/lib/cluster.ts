import { KubeConfig } from "@kubernetes/client-node";
import { ensureControlPlaneBinaries } from "../../src/dev/control-plane/build.js";
import { defaultCacheRoot } from "../../src/dev/control-plane/cache.js";
import { startControlPlane } from "../../src/dev/control-plane/control-plane.js";
import { KUBERNETES_VERSION } from "../../src/dev/control-plane/versions.js";

/** A local control plane shared by every cluster scenario of one bench run. */
export interface BenchCluster {
  readonly kc: KubeConfig;
  readonly kubeconfigPath: string;
  readonly kubernetesVersion: string;
  /** Pids of etcd, kube-apiserver and kube-controller-manager (and the idle watchdog). */
  readonly pids: readonly number[];
}

/**
 * Starts the local control plane on first use only, so scenarios that need no cluster (S5, the
 * queue) cost nothing and the cluster ones share one start-up.
 */
export class LazyCluster {
  private started: Promise<{ cluster: BenchCluster; stop: () => Promise<void> }> | undefined;

  constructor(private readonly log: (line: string) => void) {}

  /** The running cluster, started on the first call. */
  async get(): Promise<BenchCluster> {
    this.started ??= this.start();
    return (await this.started).cluster;
  }

  /** Stops the control plane if it was started. */
  async stop(): Promise<void> {
    if (this.started) await (await this.started).stop();
  }

  private async start(): Promise<{ cluster: BenchCluster; stop: () => Promise<void> }> {
    const binaries = await ensureControlPlaneBinaries({
      cacheRoot: defaultCacheRoot(process.env),
      kubernetesVersion: KUBERNETES_VERSION,
      log: this.log,
    });
    const cp = await startControlPlane({ binaries, log: () => undefined });
    const kc = new KubeConfig();
    kc.loadFromFile(cp.kubeconfigPath);
    this.log(`[bench] control plane ${cp.kubernetesVersion} at ${cp.server}`);
    return {
      cluster: {
        kc,
        kubeconfigPath: cp.kubeconfigPath,
        kubernetesVersion: cp.kubernetesVersion,
        pids: cp.pids,
      },
      stop: () => cp.stop(),
    };
  }
}
