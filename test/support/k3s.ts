import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { K3sContainer } from "@testcontainers/k3s";

/** The K3s image the optional Docker path runs (a Kubernetes close to our control plane's). */
export const K3S_IMAGE = "rancher/k3s:v1.33.5-k3s1";

/** A test cluster the global setup can hand to the tests. */
export interface TestCluster {
  kind: "local-control-plane" | "k3s" | "kind-node";
  kubeconfigPath: string;
  kubernetesVersion: string;
  describe: string;
  stop(): Promise<void>;
}

/**
 * The optional integration path on Docker (MOORING_TEST_CLUSTER=k3s): one K3s container through
 * testcontainers. It is never the default and never a fallback: when this path is chosen without
 * a Docker engine, the run fails saying so. It needs the K3s image from a registry (CI runs the
 * kind-node path instead). K3s runs real workload controllers and a kubelet, unlike the local
 * control plane, so they overwrite workload status a test writes itself.
 */
export async function startK3s(): Promise<TestCluster> {
  let started;
  try {
    started = await new K3sContainer(K3S_IMAGE).start();
  } catch (err) {
    throw new Error(`MOORING_TEST_CLUSTER=k3s needs a running Docker engine: ${(err as Error).message}`, {
      cause: err,
    });
  }
  const dir = await mkdtemp(join(tmpdir(), "mooring-k3s-"));
  const kubeconfigPath = join(dir, "kubeconfig");
  await writeFile(kubeconfigPath, started.getKubeConfig(), { mode: 0o600 });
  const container = started;
  return {
    kind: "k3s",
    kubeconfigPath,
    kubernetesVersion: K3S_IMAGE.split(":")[1] ?? "unknown",
    describe: `K3s ${K3S_IMAGE} in Docker (testcontainers)`,
    stop: async () => {
      await container.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
