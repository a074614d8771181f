/**
 * `npm run quickstart -- --kind`: the demo on real pods. Creates (or recreates) the kind cluster
 * `mooring-quickstart`, builds mooring's image from the Dockerfile and loads it, `mooring
 * install`s deploy/, starts an in-cluster git server holding examples/demo, applies the demo
 * GitRepository and Kustomization (wait: true), and prints the Ready table and `kubectl get pods
 * -A` once the demo's pods run. The cluster stays up; the last lines say how to delete it.
 * `--setup-docker` lets it set up a Docker engine where none answers (root, apt-get).
 */
import { spawnSync } from "node:child_process";
import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { buildProjectImages, DEMO_APP_IMAGE, ensureDemoAppImage } from "./containers/project-images.js";
import { must } from "./containers/docker.js";
import { mooringCacheDir } from "./control-plane/cache.js";
import { createKindCluster, prepareKind } from "./kind/cluster.js";
import {
  demoManifests,
  GIT_DOCKERFILE,
  GIT_IMAGE,
  GIT_NAMESPACE,
  gitServerManifests,
  MOORING_IMAGE,
} from "./kind/demo.js";

const CLUSTER = "mooring-quickstart";
const SYSTEM_NS = "mooring-system";

/** Runs the kind quick start; `say` prints progress lines. */
export async function kindQuickstart(repoRoot: string, say: (line: string) => void): Promise<void> {
  const cache = mooringCacheDir(process.env);
  const toolchain = await prepareKind({
    env: process.env,
    setUpDocker: process.argv.includes("--setup-docker"),
    log: say,
  });
  const nodeVersion = (
    JSON.parse(await readFile(join(repoRoot, "node_modules", "node", "package.json"), "utf8")) as {
      version: string;
    }
  ).version;
  const imageOptions = { repoRoot, cacheDir: join(cache, "images"), nodeVersion, log: say };
  await buildProjectImages({ [MOORING_IMAGE]: "Dockerfile", [GIT_IMAGE]: GIT_DOCKERFILE }, imageOptions);
  await ensureDemoAppImage(imageOptions);
  const clusters = await must("kind get clusters", toolchain.kind, ["get", "clusters"]);
  if (clusters.split("\n").includes(CLUSTER)) {
    say(`deleting the previous ${CLUSTER} cluster`);
    await must("kind delete cluster", toolchain.kind, ["delete", "cluster", "--name", CLUSTER]);
  }
  const dir = join(cache, "kind", "quickstart");
  await mkdir(dir, { recursive: true });
  const cluster = await createKindCluster(toolchain, { name: CLUSTER, dir, log: say });
  await cluster.load([MOORING_IMAGE, GIT_IMAGE, DEMO_APP_IMAGE]);
  const env = { ...process.env, KUBECONFIG: cluster.kubeconfig };
  const kubectl = (...args: string[]): Promise<string> =>
    must(`kubectl ${args[0]}`, "kubectl", args, { env });
  const apply = (yaml: string): Promise<string> =>
    must("kubectl apply", "sh", ["-c", 'printf "%s" "$MANIFESTS" | kubectl apply --server-side -f -'], {
      env: { ...env, MANIFESTS: yaml },
    });
  say("mooring install");
  await must(
    "mooring install",
    "npx",
    ["tsx", "src/cli/bin.ts", "install", "--kubeconfig", cluster.kubeconfig],
    {
      cwd: repoRoot,
      env,
    },
  );
  await apply(gitServerManifests());
  await kubectl("-n", GIT_NAMESPACE, "rollout", "status", "deploy/git-server", "--timeout=180s");
  await apply(demoManifests(SYSTEM_NS, "1m"));
  say("waiting for the demo GitRepository and Kustomization (wait: true) to be Ready...");
  await kubectl(
    "-n",
    SYSTEM_NS,
    "wait",
    "--for=condition=Ready",
    "gitrepository/demo",
    "kustomization/demo",
    "--timeout=300s",
  );
  for (const args of [
    ["get", "gitrepositories,kustomizations", "-A"],
    ["get", "pods", "-A"],
  ])
    spawnSync("kubectl", args, { env, stdio: "inherit" });
  say(`the demo runs on real pods in kind. To look around and clean up:
  export KUBECONFIG=${cluster.kubeconfig}
  kubectl -n demo get deploy,pods
  npm run mooring -- get ks -A
  ${toolchain.kind} delete cluster --name ${CLUSTER}`);
}
