/**
 * `npm run quickstart`: the README's first command. Starts the local control plane, installs the
 * CRDs, and keeps running until Ctrl-C, which stops everything. The controller, the demo git
 * repository and the demo GitRepository/Kustomization are added here as they land.
 */
import { join } from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import { GIT_REPOSITORY, KUSTOMIZATION } from "../api/constants.js";
import { applyManifestDir, waitForCrdsEstablished } from "./apply-manifests.js";
import { ensureControlPlaneBinaries } from "./control-plane/build.js";
import { defaultCacheRoot } from "./control-plane/cache.js";
import { startControlPlane } from "./control-plane/control-plane.js";
import { ControlPlaneUnavailableError } from "./control-plane/errors.js";
import { KUBERNETES_VERSION } from "./control-plane/versions.js";

const log = (line: string): void => console.error(line);

async function main(): Promise<void> {
  const binaries = await ensureControlPlaneBinaries({
    cacheRoot: defaultCacheRoot(process.env),
    kubernetesVersion: KUBERNETES_VERSION,
    log,
  });
  const cp = await startControlPlane({ binaries, log });
  const stop = (): void => {
    log("[quickstart] stopping");
    cp.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  log(`[quickstart] Kubernetes ${cp.kubernetesVersion} (etcd ${cp.etcdVersion}) is up at ${cp.server}`);
  const kc = new KubeConfig();
  kc.loadFromFile(cp.kubeconfigPath);
  const applied = await applyManifestDir(
    kc,
    join(import.meta.dirname, "..", "..", "crds"),
    "mooring-quickstart",
  );
  await waitForCrdsEstablished(kc, [GIT_REPOSITORY.crdName, KUSTOMIZATION.crdName]);
  log(`[quickstart] installed ${applied.join(", ")}`);
  log(
    "[quickstart] the controller and the demo are not wired in yet: this quick start stops at the control plane and the CRDs.",
  );
  log(
    `[quickstart] try:\n  export KUBECONFIG=${cp.kubeconfigPath}\n  kubectl get crds\nCtrl-C stops everything.`,
  );
}

main().catch((err: unknown) => {
  log(`[quickstart] ${err instanceof ControlPlaneUnavailableError ? err.message : String(err)}`);
  process.exit(1);
});
