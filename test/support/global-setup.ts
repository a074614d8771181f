import { resolve } from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import type { TestProject } from "vitest/node";
import { GIT_REPOSITORY, KUSTOMIZATION } from "../../src/api/constants.js";
import { applyManifestDir, waitForCrdsEstablished } from "../../src/dev/apply-manifests.js";
import { ensureControlPlaneBinaries } from "../../src/dev/control-plane/build.js";
import { defaultCacheRoot } from "../../src/dev/control-plane/cache.js";
import { startControlPlane } from "../../src/dev/control-plane/control-plane.js";
import { ControlPlaneUnavailableError } from "../../src/dev/control-plane/errors.js";
import { KUBERNETES_VERSION } from "../../src/dev/control-plane/versions.js";

declare module "vitest" {
  export interface ProvidedContext {
    kubeconfig: string;
    kubernetesVersion: string;
  }
}

/**
 * One real control plane (etcd + kube-apiserver + kube-controller-manager) per test run, built
 * from pinned Go modules on first use. There is no fallback: if it cannot start, the run fails
 * with one line that says why.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const log = (line: string): void => console.log(line);
  try {
    const binaries = await ensureControlPlaneBinaries({
      cacheRoot: defaultCacheRoot(process.env),
      kubernetesVersion: KUBERNETES_VERSION,
      log,
    });
    const started = Date.now();
    const cp = await startControlPlane({ binaries, log });
    log(
      `[control-plane] integration tests run against Kubernetes ${cp.kubernetesVersion} (etcd ${cp.etcdVersion}) at ${cp.server}, started in ${Date.now() - started} ms`,
    );
    // Every test file may use the two kinds: install them once, as the quick start does.
    const kc = new KubeConfig();
    kc.loadFromFile(cp.kubeconfigPath);
    await applyManifestDir(kc, resolve(import.meta.dirname, "..", "..", "crds"), "mooring-tests");
    await waitForCrdsEstablished(kc, [GIT_REPOSITORY.crdName, KUSTOMIZATION.crdName]);
    process.env.KUBECONFIG = cp.kubeconfigPath;
    project.provide("kubeconfig", cp.kubeconfigPath);
    project.provide("kubernetesVersion", cp.kubernetesVersion);
    return async () => {
      await cp.stop();
      log("[control-plane] stopped");
    };
  } catch (err) {
    if (err instanceof ControlPlaneUnavailableError) {
      console.error(`[control-plane] ${err.message}`);
      throw new Error(err.message, { cause: err });
    }
    throw err;
  }
}
