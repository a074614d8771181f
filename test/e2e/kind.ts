/**
 * `npm run e2e:kind`: mooring in a real kind cluster, as a user runs it (issue 13). Builds the
 * image from the Dockerfile and loads it into kind, `mooring install`s deploy/, and asserts, on
 * real pods: the controller Running with 0 restarts and holding its Lease under its own RBAC; a
 * wait:true Kustomization whose Deployment really rolls out; a pushed change applied, a removed
 * file pruned, drift corrected with a 1h interval; the controller pod deleted mid-reconcile and
 * its successor converging with nothing in Git deleted; /metrics and /healthz through the
 * Service; the flux CLI; an upgrade to a new image tag keeping status and artifacts; and
 * `mooring uninstall` leaving nothing behind. The cluster is deleted at the end.
 *
 * Docker: the engine on PATH; `--setup-docker` (or CI=true) sets one up where none answers
 * (root, apt-get). Only when no engine can run (none answers and none may or can be set up) does
 * it say why and skip (exit 0); every other failure fails (exit 1). `--keep-cluster` keeps the
 * cluster for debugging.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { NoContainerEngineError } from "../../src/dev/containers/docker-engine.js";
import { mooringCacheDir } from "../../src/dev/control-plane/cache.js";
import { createKindCluster, prepareKind, timed } from "../../src/dev/kind/cluster.js";
import { ClusterClient } from "./cluster-client.js";
import { buildE2eImages } from "./images.js";
import { runScenario } from "./scenario.js";

const repoRoot = resolve(import.meta.dirname, "..", "..");
const log = (line: string): void => console.error(`[e2e:kind] ${line}`);

async function main(): Promise<number> {
  const started = Date.now();
  const setUpDocker = process.argv.includes("--setup-docker") || process.env.CI === "true";
  let toolchain;
  try {
    toolchain = await prepareKind({ env: process.env, setUpDocker, log });
  } catch (err) {
    if (err instanceof NoContainerEngineError) {
      log(`skipped: ${err.message}. Nothing was created.`);
      return 0;
    }
    throw err;
  }
  const images = await timed(log, "images", () =>
    buildE2eImages({ repoRoot, cacheDir: join(mooringCacheDir(process.env), "images"), log }),
  );
  const work = await mkdtemp(join(tmpdir(), "mooring-e2e-"));
  const cluster = await createKindCluster(toolchain, { name: `mooring-e2e-${process.pid}`, dir: work, log });
  try {
    await timed(log, "kind load", () => cluster.load(images.all));
    await timed(log, "scenario", () =>
      runScenario(new ClusterClient(cluster.kubeconfig, repoRoot), { images, work, log, env: process.env }),
    );
  } finally {
    if (process.argv.includes("--keep-cluster"))
      log(`kept cluster ${cluster.name}: KUBECONFIG=${cluster.kubeconfig}`);
    else {
      await cluster.delete().catch((err: unknown) => log(`could not delete the cluster: ${String(err)}`));
      await rm(work, { recursive: true, force: true });
    }
  }
  log(`passed in ${Math.round((Date.now() - started) / 1000)}s`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    log(`FAILED: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(1);
  },
);
