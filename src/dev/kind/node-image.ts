/**
 * The kind node image. On a machine with a registry, kind's stock image for the pinned kind
 * version is pulled. Without one, it is built here, first time only: the node's Go binaries,
 * CoreDNS, crictl and kind from pinned Go modules (the control plane's build machinery and
 * cache), pause from its C source, component images on the local Debian root, kind's base image
 * from Debian packages, then `kind build node-image`. The result is tagged with a recipe label,
 * so a changed recipe rebuilds and an unchanged one is reused in a second.
 */
import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureControlPlaneBinaries } from "../control-plane/build.js";
import { goCommand } from "../go-build/go-build.js";
import { ensureLocalDebian } from "../containers/base-images.js";
import { ContainerStepError, imageExists, must, tryPull } from "../containers/docker.js";
import { buildBaseImage } from "./base-image.js";
import { ensureCoreDns, ensureCrictl, ensureNodeBinaries, type KindBuildOptions } from "./binaries.js";
import { buildServerTarball, kubeadmImages } from "./component-images.js";
import { KIND_VERSION, KUBERNETES_VERSION, LOCAL_BASE_IMAGE, LOCAL_NODE_IMAGE } from "./versions.js";

/** kind v0.33.0's default node image, used where a registry serves it. */
export const STOCK_NODE_IMAGE =
  "kindest/node:v1.37.0@sha256:a1ed56cfb0e7b93589bdf97c8cd566405a265939e3620fc4f5de89adff580ae5";

/** The node image to create clusters from, and whether it is the locally built one. */
export interface NodeImage {
  image: string;
  builtLocally: boolean;
}

/** Options: the mooring cache root's `kind` directory, the control plane's cache, progress. */
export interface NodeImageOptions extends KindBuildOptions {
  controlPlaneCacheRoot: string;
}

const RECIPE_LABEL = "io.mooring.node-recipe";

/** Returns a node image kind can use: the local build if current, the stock one, or a new build. */
export async function ensureNodeImage(options: NodeImageOptions, kind: string): Promise<NodeImage> {
  const recipe = await recipeHash();
  if ((await imageLabel(LOCAL_NODE_IMAGE, RECIPE_LABEL)) === recipe)
    return { image: LOCAL_NODE_IMAGE, builtLocally: true };
  if ((await imageExists(STOCK_NODE_IMAGE)) || (await tryPull(STOCK_NODE_IMAGE)))
    return { image: STOCK_NODE_IMAGE, builtLocally: false };
  options.log(
    `kind: no registry serves ${STOCK_NODE_IMAGE.split("@")[0]}; building ${LOCAL_NODE_IMAGE} (first time only)`,
  );
  await buildNodeImage(options, kind, recipe);
  return { image: LOCAL_NODE_IMAGE, builtLocally: true };
}

async function buildNodeImage(options: NodeImageOptions, kind: string, recipe: string): Promise<void> {
  const { log } = options;
  const started = Date.now();
  log(
    "kind 1/5: Go binaries (control plane, kubelet, kubeadm, kubectl, kube-scheduler, kube-proxy, CoreDNS, crictl)",
  );
  const controlPlane = await ensureControlPlaneBinaries({
    cacheRoot: options.controlPlaneCacheRoot,
    kubernetesVersion: KUBERNETES_VERSION,
    log,
  });
  const node = await ensureNodeBinaries(options);
  const coredns = await ensureCoreDns(options);
  const crictl = await ensureCrictl(options);
  const images = await kubeadmImages(node.kubeadm);
  const pauseImage = images.pause;
  if (!pauseImage) throw new ContainerStepError("kubeadm config images list names no pause image");
  log("kind 2/5: pause from its C source");
  const pause = await ensurePause(options, pauseImage.split(":").pop() ?? "unknown");
  log("kind 3/5: component images and the server tarball");
  await ensureLocalDebian({ cacheDir: join(options.cacheDir, "..", "images"), log });
  const work = await mkdtemp(join(tmpdir(), "mooring-kind-node-"));
  try {
    const tarball = await buildServerTarball({ ...controlPlane, ...node, coredns, pause }, images, work, log);
    log("kind 4/5: the base image");
    await buildBaseImage({ crictl, pauseImage, log, recipe, recipeLabel: RECIPE_LABEL });
    log(`kind 5/5: kind build node-image ${LOCAL_NODE_IMAGE}`);
    await must("kind build node-image", kind, [
      "build",
      "node-image",
      "--type",
      "file",
      tarball,
      "--base-image",
      LOCAL_BASE_IMAGE,
      "--image",
      LOCAL_NODE_IMAGE,
    ]);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  log(`kind: node image built in ${Math.round((Date.now() - started) / 1000)}s`);
}

/** pause compiled statically from k8s.io/kubernetes's build/pause/linux/pause.c, cached. */
async function ensurePause(options: KindBuildOptions, tag: string): Promise<string> {
  const dir = join(options.cacheDir, "pause", tag);
  const binary = join(dir, "pause");
  if (
    await stat(binary).then(
      () => true,
      () => false,
    )
  )
    return binary;
  const spec = { label: "pause", log: options.log, unavailable: (m: string) => new ContainerStepError(m) };
  const out = await goCommand(
    spec,
    ["mod", "download", "-json", `k8s.io/kubernetes@${KUBERNETES_VERSION}`],
    tmpdir(),
    "downloading k8s.io/kubernetes",
  );
  const source = join((JSON.parse(out) as { Dir: string }).Dir, "build", "pause", "linux", "pause.c");
  await mkdir(dir, { recursive: true });
  await must("compiling pause (gcc -static)", "gcc", [
    "-Os",
    "-Wall",
    "-Werror",
    "-static",
    `-DVERSION=v${tag}`,
    "-o",
    binary,
    source,
  ]);
  return binary;
}

async function imageLabel(image: string, label: string): Promise<string | undefined> {
  const out = await must("docker image inspect", "docker", [
    "image",
    "inspect",
    "--format",
    `{{ index .Config.Labels "${label}" }}`,
    image,
  ]).catch(() => "");
  return out.trim() || undefined;
}

/** Changes whenever what goes into the node image changes: versions and the recipe's sources. */
async function recipeHash(): Promise<string> {
  const hash = createHash("sha256").update(`${KUBERNETES_VERSION} ${KIND_VERSION}`);
  for (const file of ["base-image.ts", "component-images.ts", "versions.ts", "../containers/runc-wrapper.ts"])
    hash.update(await readFile(join(import.meta.dirname, file)));
  return hash.digest("hex").slice(0, 16);
}
