/**
 * `npm run quickstart`: the README's first command. Brings up the local control plane, runs the
 * mooring controller in this process, starts a local git server holding the demo app, creates the
 * demo GitRepository and Kustomization, prints them once Ready, and tells the user how to push a
 * change. Ctrl-C stops everything. With `--kubeconfig` (or KUBECONFIG pointing at a reachable
 * cluster and `--use-cluster`) it skips the local control plane and uses that cluster instead.
 * With `--kind` it runs the demo on real pods in a kind cluster instead (quickstart-kind.ts).
 */
import { spawnSync } from "node:child_process";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { manifestApplier } from "../apply/cluster/index.js";
import type { KubeObject } from "../apply/types.js";
import { ARTIFACT_GENERATOR, EXTERNAL_ARTIFACT, GIT_REPOSITORY, KUSTOMIZATION } from "../api/constants.js";
import { RECEIVER } from "../api/receiver.js";
import { controllerConfig } from "../config.js";
import { startController } from "../main.js";
import { kubeRequest, resourcePath } from "../runtime/kube-request.js";
import { type KubeConfig, loadKubeConfigFiles } from "../runtime/kubeconfig/index.js";
import { createLogger } from "../runtime/logging.js";
import { applyManifestDir, waitForCrdsEstablished } from "./apply-manifests.js";
import { ensureControlPlaneBinaries } from "./control-plane/build.js";
import { defaultCacheRoot } from "./control-plane/cache.js";
import { startControlPlane } from "./control-plane/control-plane.js";
import { ControlPlaneUnavailableError } from "./control-plane/errors.js";
import { KUBERNETES_VERSION } from "./control-plane/versions.js";
import { git } from "./git-server/git-cli.js";
import { startGitServer } from "./git-server/index.js";

const say = (line: string): void => console.error(`[quickstart] ${line}`);
const repoRoot = join(import.meta.dirname, "..", "..");
const DEMO_NAMESPACE = "flux-system";

/** Every file of examples/demo, as the git helper's file map. */
async function demoFiles(dir = join(repoRoot, "examples", "demo")): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const full = join(entry.parentPath, entry.name);
    files[relative(dir, full)] = await readFile(full, "utf8");
  }
  return files;
}

/** The cluster to use: the one the user named, else a fresh local control plane. */
async function cluster(): Promise<{ kubeconfigPath: string; describe: string; stop: () => Promise<void> }> {
  const explicit = process.argv.includes("--use-cluster") ? process.env.KUBECONFIG : undefined;
  if (explicit)
    return {
      kubeconfigPath: explicit,
      describe: `the cluster of KUBECONFIG=${explicit}`,
      stop: async () => {},
    };
  const binaries = await ensureControlPlaneBinaries({
    cacheRoot: defaultCacheRoot(process.env),
    kubernetesVersion: KUBERNETES_VERSION,
    log: say,
  });
  const cp = await startControlPlane({ binaries, log: say });
  return {
    kubeconfigPath: cp.kubeconfigPath,
    describe: `Kubernetes ${cp.kubernetesVersion} (etcd ${cp.etcdVersion}) at ${cp.server}`,
    stop: () => cp.stop(),
  };
}

async function apply(kc: KubeConfig, obj: KubeObject): Promise<void> {
  const applier = manifestApplier(kc);
  try {
    await applier.apply(obj, { fieldManager: "mooring-quickstart" });
  } finally {
    await applier.close();
  }
}

async function createDemoObjects(kc: KubeConfig, repoUrl: string): Promise<void> {
  await apply(kc, { apiVersion: "v1", kind: "Namespace", metadata: { name: DEMO_NAMESPACE } });
  await apply(kc, {
    apiVersion: GIT_REPOSITORY.apiVersion,
    kind: GIT_REPOSITORY.kind,
    metadata: { name: "demo", namespace: DEMO_NAMESPACE },
    spec: { url: repoUrl, interval: "1m", ref: { branch: "main" } },
  });
  await apply(kc, {
    apiVersion: KUSTOMIZATION.apiVersion,
    kind: KUSTOMIZATION.kind,
    metadata: { name: "demo", namespace: DEMO_NAMESPACE },
    spec: {
      interval: "1m",
      path: "./overlays/prod",
      prune: true,
      sourceRef: { kind: "GitRepository", name: "demo" },
    },
  });
}

type WithReady = {
  status?: { conditions?: { type: string; status: string; message?: string }[] };
};

/** The Ready condition of the demo object of `kind`. */
async function readyOf(
  kc: KubeConfig,
  kind: { apiVersion: string; plural: string },
): Promise<{ status?: string; message?: string }> {
  const { apiVersion, plural } = kind;
  const path = resourcePath({ apiVersion, plural, namespace: DEMO_NAMESPACE, name: "demo" });
  const obj = await kubeRequest<WithReady>(kc, path);
  return obj.status?.conditions?.find((c) => c.type === "Ready") ?? {};
}

async function waitReady(kc: KubeConfig, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const kind of [GIT_REPOSITORY, KUSTOMIZATION]) {
    let ready = await readyOf(kc, kind);
    while (ready.status !== "True") {
      if (Date.now() > deadline)
        throw new Error(
          `${kind.kind} demo is not Ready after ${timeoutMs / 1000}s: ${ready.message ?? "no Ready condition yet"}`,
        );
      await sleep(500);
      ready = await readyOf(kc, kind);
    }
  }
}

function printTable(kubeconfigPath: string): void {
  const result = spawnSync("kubectl", ["get", "gitrepositories,kustomizations", "-A"], {
    env: { ...process.env, KUBECONFIG: kubeconfigPath },
    encoding: "utf8",
  });
  if (result.status === 0) process.stdout.write(result.stdout);
  else
    spawnSync(
      "npx",
      ["tsx", join(repoRoot, "src/cli/bin.ts"), "get", "ks", "-A", "--kubeconfig", kubeconfigPath],
      { stdio: "inherit" },
    );
}

async function main(): Promise<void> {
  const c = await cluster();
  const work = await mkdtemp(join(tmpdir(), "mooring-quickstart-"));
  const abort = new AbortController();
  let stopped = false;
  const gitServer = await startGitServer();
  const stop = (): void => {
    if (stopped) return;
    stopped = true;
    say("stopping: controller, git server, control plane");
    abort.abort();
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  say(`cluster: ${c.describe}`);
  const kc = loadKubeConfigFiles([c.kubeconfigPath], process.env);
  await applyManifestDir(kc, join(repoRoot, "crds"), "mooring-quickstart");
  await waitForCrdsEstablished(kc, [
    GIT_REPOSITORY.crdName,
    KUSTOMIZATION.crdName,
    EXTERNAL_ARTIFACT.crdName,
    ARTIFACT_GENERATOR.crdName,
    RECEIVER.crdName,
  ]);
  const repo = await gitServer.createRepo("demo", { defaultBranch: "main" });
  await repo.commit({ files: await demoFiles(), message: "demo app: base and prod overlay" });
  // Let the user push to the demo repository over HTTP (loopback only).
  await git(["config", "http.receivepack", "true"], { cwd: repo.barePath });
  const config = controllerConfig(
    {
      kubeconfig: c.kubeconfigPath,
      storagePath: join(work, "storage"),
      storageAddr: "127.0.0.1:0",
      metricsAddr: "127.0.0.1:0",
      healthAddr: "127.0.0.1:0",
      receiverAddr: "127.0.0.1:0",
      logEncoding: "console",
    },
    process.env,
  );
  const log = createLogger({ level: "info", encoding: "console", isTTY: process.stderr.isTTY });
  const running = await startController(
    config,
    { inCluster: false, isTTY: process.stderr.isTTY, instance: "quickstart" },
    abort.signal,
    log,
  );
  await createDemoObjects(kc, repo.url);
  say("waiting for the demo GitRepository and Kustomization to be Ready...");
  await waitReady(kc);
  printTable(c.kubeconfigPath);
  say(`the demo is applied. In another terminal:
  export KUBECONFIG=${c.kubeconfigPath}
  kubectl -n demo get deploy,svc,cm
  git clone ${repo.url} /tmp/demo-app && cd /tmp/demo-app
  sed -i 's/count: 2/count: 3/' overlays/prod/kustomization.yaml
  git commit -qam "scale web to 3" && git push -q
  npm run mooring -- reconcile ks demo -n ${DEMO_NAMESPACE} --with-source   # or wait for the 1m interval
  kubectl -n demo get deploy web
Ctrl-C stops everything.`);
  await running.done.catch((err: unknown) => say(`controller stopped: ${String(err)}`));
  await gitServer.stop();
  await c.stop();
  await rm(work, { recursive: true, force: true });
}

/** `--kind`: the demo on real pods in a kind cluster (loaded only then: the default stays fast). */
async function entry(): Promise<void> {
  if (!process.argv.includes("--kind")) return main();
  const { kindQuickstart } = await import("./quickstart-kind.js");
  await kindQuickstart(repoRoot, say);
}

// Exit explicitly once cleaned up: client watches may still hold sockets for a moment.
entry()
  .then(() => process.exit(0))
  .catch((err: unknown) => {
    say(err instanceof ControlPlaneUnavailableError ? err.message : String((err as Error).stack ?? err));
    process.exit(1);
  });
