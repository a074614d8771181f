/**
 * A kind cluster for the e2e and the kind quick start: the Docker engine (set up only when asked),
 * kind and a node image (stock where a registry serves it, else built here), then
 * `kind create cluster` with its own kubeconfig file (never ~/.kube/config).
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { stringify } from "yaml";
import { ensureDockerEngine } from "../containers/docker-engine.js";
import { must } from "../containers/docker.js";
import { defaultCacheRoot, mooringCacheDir } from "../control-plane/cache.js";
import { ensureKind } from "./binaries.js";
import { POD_SUBNET } from "./base-image.js";
import { ensureNodeImage, type NodeImage } from "./node-image.js";

/** What {@link prepareKind} needs: the environment (for the cache dir) and whether to set up Docker. */
export interface PrepareOptions {
  env: NodeJS.ProcessEnv;
  setUpDocker: boolean;
  log: (line: string) => void;
}

/** kind and a node image, ready to create clusters. */
export interface KindToolchain {
  kind: string;
  node: NodeImage;
}

/** Docker engine, kind binary and node image; each stage logs a line and times itself. */
export async function prepareKind(options: PrepareOptions): Promise<KindToolchain> {
  const cache = mooringCacheDir(options.env);
  const log = options.log;
  const dockerVersion = await timed(log, "docker engine", () =>
    ensureDockerEngine({ setUp: options.setUpDocker, stateDir: join(cache, "docker"), log }),
  );
  log(`docker engine ${dockerVersion}`);
  const buildOptions = { cacheDir: join(cache, "kind"), log };
  const kind = await timed(log, "kind binary", () => ensureKind(buildOptions));
  const node = await timed(log, "kind node image", () =>
    ensureNodeImage({ ...buildOptions, controlPlaneCacheRoot: defaultCacheRoot(options.env) }, kind),
  );
  log(`node image ${node.image}${node.builtLocally ? " (built here)" : ""}`);
  return { kind, node };
}

/** A created kind cluster. */
export interface KindCluster {
  name: string;
  kubeconfig: string;
  /** `kind load docker-image` into every node. */
  load(images: readonly string[]): Promise<void>;
  delete(): Promise<void>;
}

/** Creates a single-node cluster; the kubeconfig goes to `<dir>/kubeconfig`. */
export async function createKindCluster(
  toolchain: KindToolchain,
  options: { name: string; dir: string; log: (line: string) => void },
): Promise<KindCluster> {
  const { kind, node } = toolchain;
  const kubeconfig = join(options.dir, "kubeconfig");
  const configPath = join(options.dir, "kind-config.yaml");
  await writeFile(configPath, stringify(clusterConfig(node.builtLocally)));
  const cluster: KindCluster = {
    name: options.name,
    kubeconfig,
    load: async (images) => {
      await must(`kind load docker-image ${images.join(" ")}`, kind, [
        "load",
        "docker-image",
        ...images,
        "--name",
        options.name,
      ]);
    },
    delete: async () => {
      await must(`kind delete cluster ${options.name}`, kind, ["delete", "cluster", "--name", options.name]);
    },
  };
  await timed(options.log, `kind create cluster ${options.name}`, async () => {
    try {
      await must("kind create cluster", kind, [
        "create",
        "cluster",
        "--name",
        options.name,
        "--image",
        node.image,
        "--config",
        configPath,
        "--kubeconfig",
        kubeconfig,
        "--wait",
        "180s",
      ]);
    } catch (err) {
      await cluster.delete().catch(() => undefined);
      throw err;
    }
  });
  if (node.builtLocally) await removeLocalPathStorage(kubeconfig, options.log);
  return cluster;
}

/**
 * The locally built node image carries only placeholders for kind's local-path provisioner (it
 * is not built here), so its add-on would never run: remove it rather than leave a failing pod.
 */
async function removeLocalPathStorage(kubeconfig: string, log: (line: string) => void): Promise<void> {
  const env = { ...process.env, KUBECONFIG: kubeconfig };
  await must(
    "removing local-path storage",
    "kubectl",
    ["delete", "namespace", "local-path-storage", "--wait=false"],
    { env },
  );
  await must(
    "removing local-path storage",
    "kubectl",
    ["delete", "storageclass", "standard", "--ignore-not-found"],
    { env },
  );
  log(
    "offline node image: kind's local-path storage add-on is not built here; removed it (no default StorageClass)",
  );
}

/**
 * kubelet ≥ 1.35 refuses cgroup v1 unless told otherwise, and these VMs run cgroup v1. The locally
 * built node image has no kindnetd: its baked-in ptp CNI config serves the single node.
 */
function clusterConfig(builtLocally: boolean): object {
  return {
    kind: "Cluster",
    apiVersion: "kind.x-k8s.io/v1alpha4",
    networking: { podSubnet: POD_SUBNET, ...(builtLocally ? { disableDefaultCNI: true } : {}) },
    kubeadmConfigPatches: ["kind: KubeletConfiguration\nfailCgroupV1: false\n"],
  };
}

/** Runs a stage, logging its wall time (the README's cold/warm figures come from these lines). */
export async function timed<T>(
  log: (line: string) => void,
  stage: string,
  work: () => Promise<T>,
): Promise<T> {
  const started = Date.now();
  const result = await work();
  log(`stage "${stage}" took ${Math.round((Date.now() - started) / 1000)}s`);
  return result;
}
