/**
 * kind's base image (kindest/base) rebuilt for machines without a registry: kind's own
 * `images/base/files` (entrypoint, systemd units, kubelet drop-ins, taken from the kind module
 * at build time) on the local Debian root, with Debian's systemd, containerd 1.6, runc and CNI
 * plugins instead of kind's source builds, plus what this VM needs: the capability-filtering runc
 * wrapper as containerd's runc, `restrict_oom_score_adj`, containerd's OOM score left at 0, a
 * single-node ptp CNI config (kindnetd is not built) and a `ctr` shim for the two calls kind
 * makes that containerd 1.6's ctr lacks.
 */
import { chmod, cp, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { goCommand } from "../go-build/go-build.js";
import { capabilityFilteringRunc } from "../containers/runc-wrapper.js";
import { LOCAL_DEBIAN } from "../containers/base-images.js";
import { ContainerStepError, dockerBuild } from "../containers/docker.js";
import { KIND_VERSION, LOCAL_BASE_IMAGE } from "./versions.js";

/** The pod network of the baked-in CNI config: kind's default podSubnet. */
export const POD_SUBNET = "10.244.0.0/16";
const NODE_POD_RANGE = "10.244.0.0/24";

/** Inputs of {@link buildBaseImage}. */
export interface BaseImageInputs {
  crictl: string;
  /** The sandbox image containerd runs pods with (kubeadm's pause tag). */
  pauseImage: string;
  /** Stamped as a label, inherited by the node image, so a stale build is noticed. */
  recipe: string;
  recipeLabel: string;
  log: (line: string) => void;
}

/** Builds LOCAL_BASE_IMAGE from kind's base files and Debian packages (about 2 minutes). */
export async function buildBaseImage(inputs: BaseImageInputs): Promise<void> {
  const context = await mkdtemp(join(tmpdir(), "mooring-kind-base-"));
  try {
    await cp(join(await kindModuleDir(inputs.log), "images", "base", "files"), join(context, "files"), {
      recursive: true,
    });
    const own = join(context, "mooring");
    await mkdir(own);
    const files: Record<string, string> = {
      "runc-filter-caps": capabilityFilteringRunc("/usr/sbin/runc"),
      ctr: CTR_SHIM,
      "config.toml": containerdConfig(inputs.pauseImage),
      "10-mooring-ptp.conflist": PTP_CNI_CONFIG,
    };
    for (const [name, text] of Object.entries(files)) await writeFile(join(own, name), text);
    await cp(inputs.crictl, join(own, "crictl"));
    await writeFile(
      join(context, "Dockerfile"),
      `${DOCKERFILE}LABEL ${inputs.recipeLabel}="${inputs.recipe}"\n`,
    );
    await chmod(context, 0o755);
    inputs.log(`kind: building the base image ${LOCAL_BASE_IMAGE} (Debian packages; about 2 minutes)`);
    await dockerBuild(`building ${LOCAL_BASE_IMAGE}`, ["-t", LOCAL_BASE_IMAGE, "."], {
      cwd: context,
      heartbeat: (ms) => inputs.log(`kind: still building the base image... ${Math.round(ms / 1000)}s`),
    });
  } finally {
    await rm(context, { recursive: true, force: true });
  }
}

/** The kind module's directory in the Go module cache (downloaded if needed). */
async function kindModuleDir(log: (line: string) => void): Promise<string> {
  const spec = { label: "kind", log, unavailable: (m: string) => new ContainerStepError(m) };
  const out = await goCommand(
    spec,
    ["mod", "download", "-json", `sigs.k8s.io/kind@${KIND_VERSION}`],
    tmpdir(),
    "downloading kind",
  );
  return (JSON.parse(out) as { Dir: string }).Dir;
}

const CTR_SHIM = `#!/bin/bash
# mooring: containerd 1.6's ctr has no \`ctr info\` and no \`images import --label\`; kind calls both.
if [ "\${1-}" = info ]; then exec /usr/bin/ctr version; fi
args=()
for a in "$@"; do case "$a" in --label=*) ;; *) args+=("$a") ;; esac; done
exec /usr/bin/ctr "\${args[@]}"
`;

function containerdConfig(pauseImage: string): string {
  return `# mooring: kind's containerd settings for containerd 1.6 on a VM without CAP_SYS_RESOURCE.
version = 2

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "${pauseImage}"
  tolerate_missing_hugepages_controller = true
  restrict_oom_score_adj = true

[plugins."io.containerd.grpc.v1.cri".containerd]
  discard_unpacked_layers = true
  snapshotter = "overlayfs"
  default_runtime_name = "runc"

[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
  runtime_type = "io.containerd.runc.v2"
  base_runtime_spec = "/etc/containerd/cri-base.json"
  [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
    SystemdCgroup = true
    BinaryName = "/usr/local/sbin/runc-filter-caps"
`;
}

const PTP_CNI_CONFIG = JSON.stringify(
  {
    cniVersion: "0.4.0",
    name: "mooring-ptp",
    plugins: [
      {
        type: "ptp",
        ipMasq: true,
        // The single node's share of POD_SUBNET (kind's default allocation for node 0).
        ipam: { type: "host-local", ranges: [[{ subnet: NODE_POD_RANGE }]], routes: [{ dst: "0.0.0.0/0" }] },
      },
      { type: "portmap", capabilities: { portMappings: true } },
    ],
  },
  null,
  2,
);

const DOCKERFILE = `FROM ${LOCAL_DEBIAN}
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \\
      systemd conntrack iptables nftables iproute2 ethtool util-linux mount kmod libseccomp2 pigz \\
      bash ca-certificates curl jq procps containerd runc containernetworking-plugins \\
 && rm -rf /var/lib/apt/lists/* \\
 && find /lib/systemd/system/sysinit.target.wants/ -name "systemd-tmpfiles-setup.service" -delete \\
 && rm -f /lib/systemd/system/multi-user.target.wants/* /etc/systemd/system/*.wants/* \\
      /lib/systemd/system/local-fs.target.wants/* /lib/systemd/system/sockets.target.wants/*udev* \\
      /lib/systemd/system/sockets.target.wants/*initctl* /lib/systemd/system/basic.target.wants/* \\
 && echo "ReadKMsg=no" >> /etc/systemd/journald.conf \\
 && ln -sf /usr/lib/systemd/systemd /sbin/init
COPY files/usr/local/bin/ /usr/local/bin/
COPY files/kind/ /kind/
COPY files/etc/ /etc/
COPY mooring/ctr mooring/crictl /usr/local/bin/
COPY mooring/runc-filter-caps /usr/local/sbin/
COPY mooring/config.toml /etc/containerd/config.toml
COPY mooring/10-mooring-ptp.conflist /etc/cni/net.d/
RUN chmod 755 /usr/local/bin/* /usr/local/sbin/runc-filter-caps /kind /kind/bin /kind/bin/* \\
 && chmod -R a+rX /etc /kind \\
 && ln -sf /usr/bin/containerd /usr/local/bin/containerd \\
 && sed -i 's/^OOMScoreAdjust=.*/OOMScoreAdjust=0/' /etc/systemd/system/containerd.service \\
 && mkdir -p /opt/cni && ln -sfn /usr/lib/cni /opt/cni/bin \\
 && /usr/bin/ctr oci spec \\
    | jq '.hooks.createContainer[.hooks.createContainer|length] |= . + {"path": "/kind/bin/mount-product-files.sh"}' \\
    | jq 'del(.process.rlimits)' > /etc/containerd/cri-base.json \\
 && systemctl enable kubelet.service containerd.service undo-mount-hacks.service \\
 && systemctl mask systemd-binfmt.service \\
 && mkdir -p /etc/kubernetes/manifests
ENV container=docker
STOPSIGNAL SIGRTMIN+3
ENTRYPOINT ["/usr/local/bin/entrypoint", "/sbin/init"]
`;
