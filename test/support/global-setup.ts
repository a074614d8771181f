import { resolve } from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import type { TestProject } from "vitest/node";
import {
  ARTIFACT_GENERATOR,
  EXTERNAL_ARTIFACT,
  GIT_REPOSITORY,
  KUSTOMIZATION,
  OCI_REPOSITORY,
} from "../../src/api/constants.js";
import { RECEIVER } from "../../src/api/receiver.js";
import { applyManifestDir, waitForCrdsEstablished } from "../../src/dev/apply-manifests.js";
import { ensureControlPlaneBinaries } from "../../src/dev/control-plane/build.js";
import { defaultCacheRoot } from "../../src/dev/control-plane/cache.js";
import { startControlPlane } from "../../src/dev/control-plane/control-plane.js";
import { ControlPlaneUnavailableError } from "../../src/dev/control-plane/errors.js";
import { KUBERNETES_VERSION } from "../../src/dev/control-plane/versions.js";
import { startK3s, type TestCluster } from "./k3s.js";
import { startKindNode } from "./kind-node.js";

declare module "vitest" {
  export interface ProvidedContext {
    kubeconfig: string;
    kubernetesVersion: string;
    clusterKind: TestCluster["kind"];
  }
}

const log = (line: string): void => console.log(line);

/** The default: a real etcd + kube-apiserver + kube-controller-manager built from pinned Go modules. */
async function startLocalControlPlane(): Promise<TestCluster> {
  const binaries = await ensureControlPlaneBinaries({
    cacheRoot: defaultCacheRoot(process.env),
    kubernetesVersion: KUBERNETES_VERSION,
    log,
  });
  const started = Date.now();
  const cp = await startControlPlane({ binaries, log });
  return {
    kind: "local-control-plane",
    kubeconfigPath: cp.kubeconfigPath,
    kubernetesVersion: cp.kubernetesVersion,
    describe: `Kubernetes ${cp.kubernetesVersion} (etcd ${cp.etcdVersion}) at ${cp.server}, started in ${Date.now() - started} ms`,
    stop: () => cp.stop(),
  };
}

/** The local control plane, or a cluster in Docker through testcontainers (k3s, kind-node). */
function startCluster(choice: string | undefined): Promise<TestCluster> {
  if (choice === "k3s") return startK3s();
  if (choice === "kind-node") return startKindNode(log);
  if (choice) throw new Error(`MOORING_TEST_CLUSTER=${choice}: expected k3s or kind-node (or unset)`);
  return startLocalControlPlane();
}

/**
 * One real cluster per test run: the local control plane, or a cluster in Docker when
 * MOORING_TEST_CLUSTER is k3s or kind-node. There is no fallback: if it cannot start, the run fails with one line
 * that says why. The CRDs are installed once for every test file.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  let cluster: TestCluster;
  try {
    cluster = await startCluster(process.env.MOORING_TEST_CLUSTER);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    console.error(`[control-plane] ${message}`);
    if (err instanceof ControlPlaneUnavailableError) throw new Error(message, { cause: err });
    throw err;
  }
  log(`[control-plane] integration tests run against ${cluster.describe}`);
  const kc = new KubeConfig();
  kc.loadFromFile(cluster.kubeconfigPath);
  await applyManifestDir(kc, resolve(import.meta.dirname, "..", "..", "crds"), "mooring-tests");
  await waitForCrdsEstablished(kc, [
    GIT_REPOSITORY.crdName,
    OCI_REPOSITORY.crdName,
    KUSTOMIZATION.crdName,
    EXTERNAL_ARTIFACT.crdName,
    ARTIFACT_GENERATOR.crdName,
    RECEIVER.crdName,
  ]);
  process.env.KUBECONFIG = cluster.kubeconfigPath;
  project.provide("kubeconfig", cluster.kubeconfigPath);
  project.provide("kubernetesVersion", cluster.kubernetesVersion);
  project.provide("clusterKind", cluster.kind);
  return async () => {
    await cluster.stop();
    log("[control-plane] stopped");
  };
}
