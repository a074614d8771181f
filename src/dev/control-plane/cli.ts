/**
 * `npm run control-plane -- build|up`: builds (once) and runs the local control plane by hand.
 * `up` prints the kubeconfig path and keeps running until Ctrl-C, then stops everything.
 */
import { ensureControlPlaneBinaries } from "./build.js";
import { defaultCacheRoot } from "./cache.js";
import { startControlPlane } from "./control-plane.js";
import { ControlPlaneUnavailableError } from "./errors.js";
import { KUBERNETES_VERSION } from "./versions.js";

async function main(command: string | undefined): Promise<void> {
  const log = (line: string): void => console.error(line);
  const binaries = await ensureControlPlaneBinaries({
    cacheRoot: defaultCacheRoot(process.env),
    kubernetesVersion: KUBERNETES_VERSION,
    log,
  });
  if (command === "build") {
    log(`[control-plane] binaries ready: ${Object.values(binaries).join(" ")}`);
    return;
  }
  const started = Date.now();
  const cp = await startControlPlane({ binaries, log });
  log(
    `[control-plane] Kubernetes ${cp.kubernetesVersion} (etcd ${cp.etcdVersion}) ready at ${cp.server} in ${Date.now() - started} ms`,
  );
  console.log(`export KUBECONFIG=${cp.kubeconfigPath}`);
  const shutdown = (): void => {
    log("[control-plane] stopping");
    cp.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGINT", shutdown);
  process.once("SIGTERM", shutdown);
}

const command = process.argv[2];
if (command !== "build" && command !== "up") {
  console.error("usage: npm run control-plane -- build|up");
  process.exit(2);
}
main(command).catch((err: unknown) => {
  const message =
    err instanceof ControlPlaneUnavailableError ? err.message : String((err as Error).stack ?? err);
  console.error(`[control-plane] ${message}`);
  process.exit(1);
});
