/**
 * The Kubernetes release tarball `kind build node-image --type file` reads, assembled from
 * binaries built here: kubeadm, kubelet and kubectl, and image archives for kube-apiserver,
 * kube-controller-manager, kube-scheduler and kube-proxy. kind pulls every image kubeadm needs
 * that the archives lack, and nothing can be pulled here, so kube-proxy.tar also carries etcd,
 * CoreDNS, pause and placeholders for kind's kindnetd and local-path images (not built: the
 * cluster runs with a baked-in ptp CNI config). kind reads an archive's tags from its first
 * metadata member, so `repositories` (every tag, fully qualified) is written first.
 */
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile, cp, chmod } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LOCAL_DEBIAN } from "../containers/base-images.js";
import { dockerBuild, must } from "../containers/docker.js";
import { KUBERNETES_VERSION } from "./versions.js";

/** Host paths of the binaries that go into the tarball and its images. */
export interface ComponentBinaries {
  "kube-apiserver": string;
  "kube-controller-manager": string;
  "kube-scheduler": string;
  "kube-proxy": string;
  kubelet: string;
  kubeadm: string;
  kubectl: string;
  etcd: string;
  coredns: string;
  pause: string;
}

/** kind v0.33.0's own add-on images, which it preloads into every node image. */
const KIND_ADDON_IMAGES = [
  "docker.io/kindest/kindnetd:v20260820-69b56db7",
  "docker.io/kindest/local-path-provisioner:v20260820-69b56db7",
  "docker.io/kindest/local-path-helper:v20260131-7181c60a",
];

/** The images kubeadm lists for this version (registry.k8s.io/...), keyed by component name. */
export async function kubeadmImages(kubeadm: string): Promise<Record<string, string>> {
  const out = await must("kubeadm config images list", kubeadm, [
    "config",
    "images",
    "list",
    "--kubernetes-version",
    KUBERNETES_VERSION,
  ]);
  const images: Record<string, string> = {};
  for (const ref of out
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean)) {
    const name = ref.slice(ref.lastIndexOf("/") + 1).split(":")[0] ?? ref;
    images[name] = ref;
  }
  return images;
}

/** Writes `<dir>/kubernetes-server-linux-amd64.tar.gz` and returns its path. */
export async function buildServerTarball(
  bins: ComponentBinaries,
  images: Record<string, string>,
  dir: string,
  log: (line: string) => void,
): Promise<string> {
  const image = (name: string): string => {
    const ref = images[name];
    if (!ref) throw new Error(`kubeadm config images list names no ${name} image`);
    return ref;
  };
  const binDir = join(dir, "kubernetes", "server", "bin");
  await mkdir(binDir, { recursive: true });
  for (const name of ["kubeadm", "kubelet", "kubectl"] as const) await cp(bins[name], join(binDir, name));
  await writeFile(join(dir, "kubernetes", "version"), `${KUBERNETES_VERSION}\n`);
  const plain = ["kube-apiserver", "kube-controller-manager", "kube-scheduler", "etcd"] as const;
  for (const name of plain) {
    log(`kind: image ${image(name)}`);
    await buildBinaryImage(image(name), bins[name], name, "");
  }
  log(`kind: image ${image("kube-proxy")} (with iptables and conntrack)`);
  await buildBinaryImage(image("kube-proxy"), bins["kube-proxy"], "kube-proxy", KUBE_PROXY_EXTRAS);
  await buildBinaryImage(
    image("coredns"),
    bins.coredns,
    "coredns",
    'ENTRYPOINT ["/usr/local/bin/coredns"]\n',
  );
  await buildPauseImage(image("pause"), bins.pause);
  for (const addon of KIND_ADDON_IMAGES) await buildPlaceholderImage(addon);
  for (const name of ["kube-apiserver", "kube-controller-manager", "kube-scheduler"] as const)
    await saveArchive([image(name)], join(binDir, `${name}.tar`));
  const extras = [image("kube-proxy"), image("etcd"), image("coredns"), image("pause"), ...KIND_ADDON_IMAGES];
  await saveArchive(extras, join(binDir, "kube-proxy.tar"));
  const tarball = join(dir, "kubernetes-server-linux-amd64.tar.gz");
  log("kind: packing the server tarball");
  await must("packing the server tarball", "tar", ["-C", dir, "-czf", tarball, "kubernetes"]);
  return tarball;
}

const KUBE_PROXY_EXTRAS = `RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends iptables conntrack \\
 && rm -rf /var/lib/apt/lists/*
`;

async function withContext(files: Record<string, string>, dockerfile: string, tag: string): Promise<void> {
  const context = await mkdtemp(join(tmpdir(), "mooring-kind-image-"));
  try {
    for (const [name, source] of Object.entries(files)) {
      await cp(source, join(context, name));
      await chmod(join(context, name), 0o755);
    }
    await writeFile(join(context, "Dockerfile"), dockerfile);
    await dockerBuild(`building ${tag}`, ["-t", tag, "."], { cwd: context });
  } finally {
    await rm(context, { recursive: true, force: true });
  }
}

function buildBinaryImage(tag: string, binary: string, name: string, extra: string): Promise<void> {
  return withContext(
    { [name]: binary },
    `FROM ${LOCAL_DEBIAN}\n${extra}COPY ${name} /usr/local/bin/${name}\n`,
    tag,
  );
}

function buildPauseImage(tag: string, pause: string): Promise<void> {
  return withContext(
    { pause },
    'FROM scratch\nCOPY pause /pause\nUSER 65535:65535\nENTRYPOINT ["/pause"]\n',
    tag,
  );
}

function buildPlaceholderImage(tag: string): Promise<void> {
  const note = `${tag} is not built for this offline kind node image (the cluster uses a ptp CNI config and has no local-path storage)`;
  return withContext(
    {},
    `FROM ${LOCAL_DEBIAN}\nENTRYPOINT ["/bin/sh", "-c", "echo '${note}' >&2; exec sleep infinity"]\n`,
    tag,
  );
}

/** `docker.io/library/x:1` for `x:1`, `docker.io/a/b:1` for `a/b:1`; registry names kept. */
export function qualifiedImageName(ref: string): string {
  const slash = ref.indexOf("/");
  const first = slash < 0 ? "" : ref.slice(0, slash);
  if (first.includes(".") || first.includes(":") || first === "localhost") return ref;
  return slash < 0 ? `docker.io/library/${ref}` : `docker.io/${ref}`;
}

/** `docker save`s the images into one archive whose `repositories` member comes first. */
async function saveArchive(tags: string[], archive: string): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), "mooring-kind-save-"));
  try {
    const saved = join(work, "saved.tar");
    await must(`docker save ${tags.join(" ")}`, "docker", ["save", "-o", saved, ...tags]);
    const tree = join(work, "tree");
    await mkdir(tree);
    await must("unpacking an image archive", "tar", ["-C", tree, "-xf", saved]);
    await rm(saved);
    const manifest = JSON.parse(await readFile(join(tree, "manifest.json"), "utf8")) as {
      RepoTags?: string[];
    }[];
    for (const entry of manifest) entry.RepoTags = (entry.RepoTags ?? []).map(qualifiedImageName);
    const original = JSON.parse(await readFile(join(tree, "repositories"), "utf8")) as Record<string, object>;
    const repositories = Object.fromEntries(
      Object.entries(original).map(([repo, tags]) => [qualifiedImageName(repo), tags]),
    );
    await writeFile(join(tree, "manifest.json"), JSON.stringify(manifest));
    await writeFile(join(tree, "repositories"), JSON.stringify(repositories));
    const rest = (await readdir(tree)).filter((name) => name !== "repositories");
    await must("repacking an image archive", "tar", ["-C", tree, "-cf", archive, "repositories", ...rest]);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
