/**
 * The Go programs of the kind path, built once from pinned modules into the mooring cache with
 * the control plane's build machinery (one progress line per stage, a heartbeat every 30 s):
 * the node's Kubernetes binaries, CoreDNS, crictl and kind itself.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { versionLdflags, writeKubernetesBuildModule } from "../control-plane/build.js";
import { ensureGoBinaries } from "../go-build/go-build.js";
import { ContainerStepError } from "../containers/docker.js";
import {
  COREDNS_VERSION,
  CRI_TOOLS_VERSION,
  KIND_VERSION,
  KUBERNETES_VERSION,
  NODE_PACKAGES,
} from "./versions.js";

const unavailable = (message: string): Error => new ContainerStepError(message);

/** Options shared by the builds: `<mooring cache>/kind` and a progress sink. */
export interface KindBuildOptions {
  cacheDir: string;
  log: (line: string) => void;
}

/** kubelet, kubeadm, kubectl, kube-scheduler and kube-proxy at the control plane's version. */
export async function ensureNodeBinaries(
  options: KindBuildOptions,
): Promise<Record<keyof typeof NODE_PACKAGES, string>> {
  const label = "kind-node-binaries";
  const paths = await ensureGoBinaries({
    label,
    cacheRoot: join(options.cacheDir, "node-binaries"),
    version: KUBERNETES_VERSION,
    packages: NODE_PACKAGES,
    ldflags: versionLdflags(KUBERNETES_VERSION),
    prepareModule: (dir) =>
      writeKubernetesBuildModule(dir, {
        version: KUBERNETES_VERSION,
        module: "mooring.local/kind-node",
        imports: Object.values(NODE_PACKAGES),
        spec: { label, log: options.log, unavailable },
      }),
    unavailable,
    log: options.log,
  });
  return paths;
}

/** One main package from one module, built in a consumer module that requires it. */
async function ensureModuleTool(
  options: KindBuildOptions,
  tool: { name: string; module: string; version: string; pkg?: string },
): Promise<string> {
  const { name, module, version, pkg = module } = tool;
  const paths = await ensureGoBinaries({
    label: name,
    cacheRoot: join(options.cacheDir, name),
    version,
    packages: { [name]: pkg },
    ldflags: "-s -w",
    prepareModule: async (dir) => {
      await writeFile(
        join(dir, "go.mod"),
        `module mooring.local/${name}\n\ngo 1.26.0\n\nrequire ${module} ${version}\n`,
      );
    },
    unavailable,
    log: options.log,
  });
  return paths[name] ?? name;
}

/** CoreDNS, for the node image's DNS. */
export const ensureCoreDns = (options: KindBuildOptions): Promise<string> =>
  ensureModuleTool(options, {
    name: "coredns",
    module: "github.com/coredns/coredns",
    version: COREDNS_VERSION,
  });

/** crictl, which kind runs inside the node (`kind load`). */
export const ensureCrictl = (options: KindBuildOptions): Promise<string> =>
  ensureModuleTool(options, {
    name: "crictl",
    module: "sigs.k8s.io/cri-tools",
    version: CRI_TOOLS_VERSION,
    pkg: "sigs.k8s.io/cri-tools/cmd/crictl",
  });

/** kind itself: cached build of KIND_VERSION (a `kind` on PATH is not used: versions matter). */
export const ensureKind = (options: KindBuildOptions): Promise<string> =>
  ensureModuleTool(options, { name: "kind", module: "sigs.k8s.io/kind", version: KIND_VERSION });
