/**
 * The testcontainers path (MOORING_TEST_CLUSTER=kind-node, issue 13): one Kubernetes node in
 * Docker, started by testcontainers from kind's node image (the stock one where a registry serves
 * it, else the one `npm run e2e:kind` builds here from Go modules), bootstrapped with
 * `kubeadm init` as kind does it. A real kubelet, scheduler, kube-proxy, CoreDNS and workload
 * controllers, which overwrite workload status a test writes itself: `npm run test:kind-node`
 * runs only test files that write none.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GenericContainer, type StartedTestContainer, Wait } from "testcontainers";
import { stringify } from "yaml";
import { POD_SUBNET } from "../../src/dev/kind/base-image.js";
import { prepareKind } from "../../src/dev/kind/cluster.js";
import type { TestCluster } from "./k3s.js";

const API_PORT = 6443;

/** kind's node container settings: privileged systemd with its own /var volume and cgroup namespace. */
class KindNodeContainer extends GenericContainer {
  constructor(image: string) {
    super(image);
    // dockerode's HostConfig type predates CgroupnsMode (K3sContainer sets it the same way).
    Object.assign(this.hostConfig, { CgroupnsMode: "private" });
    this.hostConfig.Mounts = [
      { Type: "volume", Source: "", Target: "/var" },
      { Type: "bind", Source: "/lib/modules", Target: "/lib/modules", ReadOnly: true },
    ];
    this.withPrivilegedMode()
      .withSecurityOpt("seccomp=unconfined", "apparmor=unconfined")
      .withTmpFs({ "/tmp": "rw", "/run": "rw" })
      .withHostname("mooring-node")
      .withEnvironment({ container: "docker" })
      .withExposedPorts(API_PORT)
      // The API port opens only after `kubeadm init`: started means containerd is up.
      .withWaitStrategy(Wait.forSuccessfulCommand("systemctl is-active -q containerd"))
      .withStartupTimeout(180_000);
  }
}

/** Starts the node and `kubeadm init`s it; the kubeconfig points at the mapped API port. */
export async function startKindNode(log: (line: string) => void): Promise<TestCluster> {
  // The node image as the e2e prepares it (pulled, or built here); needs a running Docker engine.
  const { node } = await prepareKind({ env: process.env, setUpDocker: false, log });
  const { image, builtLocally } = node;
  const started = await new KindNodeContainer(image).start();
  try {
    const ip = started.getIpAddress(started.getNetworkNames()[0] ?? "bridge");
    // The image's own Kubernetes version: kubeadm finds exactly those component images inside.
    const version = (await exec(started, ["cat", "/kind/version"])).trim();
    await started.copyContentToContainer([
      { content: kubeadmConfig(ip, version), target: "/kind/kubeadm.conf" },
    ]);
    log(`[kind-node] kubeadm init in ${image}`);
    await exec(started, [
      "kubeadm",
      "init",
      "--config=/kind/kubeadm.conf",
      "--skip-phases=preflight",
      "--skip-token-print",
    ]);
    // The stock image networks pods with kindnetd (kind applies it); ours bakes in a ptp config.
    if (!builtLocally) await exec(started, ["sh", "-c", STOCK_CNI]);
    await exec(started, [...KUBECTL, "wait", "--for=condition=Ready", "node", "--all", "--timeout=180s"]);
    const admin = (await exec(started, ["cat", "/etc/kubernetes/admin.conf"])).replace(
      /server: https:\/\/[^\s]+/,
      `server: https://127.0.0.1:${started.getMappedPort(API_PORT)}`,
    );
    const dir = await mkdtemp(join(tmpdir(), "mooring-kind-node-"));
    const kubeconfigPath = join(dir, "kubeconfig");
    await writeFile(kubeconfigPath, admin, { mode: 0o600 });
    return {
      kind: "kind-node",
      kubeconfigPath,
      kubernetesVersion: version,
      describe: `a kind node (${image}) in Docker via testcontainers, kubeadm-initialised`,
      stop: async () => {
        await started.stop({ removeVolumes: true });
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await started.stop({ removeVolumes: true });
    throw err;
  }
}

const KUBECTL = ["kubectl", "--kubeconfig=/etc/kubernetes/admin.conf"];

/** kind's own CNI manifest in the stock node image, with the pod subnet filled in as kind does. */
const STOCK_CNI = `sed 's#{{ .PodSubnet }}#${POD_SUBNET}#g' /kind/manifests/default-cni.yaml | ${KUBECTL.join(" ")} apply -f -`;

async function exec(container: StartedTestContainer, command: string[]): Promise<string> {
  const result = await container.exec(command);
  if (result.exitCode !== 0)
    throw new Error(`${command.join(" ")} failed in the kind node: ${result.output.trim().slice(-2000)}`);
  return result.output;
}

/** kind's kubeadm configuration for one untainted control-plane node, on a cgroup v1 or v2 host. */
function kubeadmConfig(ip: string, version: string): string {
  return [
    {
      apiVersion: "kubeadm.k8s.io/v1beta4",
      kind: "ClusterConfiguration",
      kubernetesVersion: version,
      controlPlaneEndpoint: `${ip}:${API_PORT}`,
      apiServer: { certSANs: ["localhost", "127.0.0.1"] },
      networking: { podSubnet: POD_SUBNET, serviceSubnet: "10.96.0.0/16" },
    },
    {
      apiVersion: "kubeadm.k8s.io/v1beta4",
      kind: "InitConfiguration",
      localAPIEndpoint: { advertiseAddress: ip, bindPort: API_PORT },
      nodeRegistration: {
        criSocket: "unix:///run/containerd/containerd.sock",
        kubeletExtraArgs: [{ name: "node-ip", value: ip }],
        taints: [],
      },
    },
    {
      apiVersion: "kubelet.config.k8s.io/v1beta1",
      kind: "KubeletConfiguration",
      cgroupDriver: "systemd",
      cgroupRoot: "/kubelet",
      failSwapOn: false,
      failCgroupV1: false,
      imageGCHighThresholdPercent: 100,
      evictionHard: { "nodefs.available": "0%", "nodefs.inodesFree": "0%", "imagefs.available": "0%" },
    },
    {
      apiVersion: "kubeproxy.config.k8s.io/v1alpha1",
      kind: "KubeProxyConfiguration",
      mode: "iptables",
      conntrack: { maxPerCore: 0, tcpEstablishedTimeout: "0s", tcpCloseWaitTimeout: "0s" },
    },
  ]
    .map((doc) => stringify(doc))
    .join("---\n");
}
