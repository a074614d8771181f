/**
 * Pinned versions of the local control plane. Kubernetes is the newest release whose Go module
 * builds with the Go toolchain on our machines; etcd is the version that release pins in its go.mod,
 * built from the same module graph so the two always agree.
 */
export const KUBERNETES_VERSION = "v1.37.2";

/** The k8s.io staging modules follow the Kubernetes minor as v0.<minor>.<patch>. */
export function stagingModuleVersion(kubernetesVersion: string): string {
  const match = /^v1\.(\d+)\.(\d+)$/.exec(kubernetesVersion);
  if (!match)
    throw new Error(`unsupported Kubernetes version ${kubernetesVersion}: expected v1.<minor>.<patch>`);
  return `v0.${match[1]}.${match[2]}`;
}

/** The Go packages we build, by binary name. */
export const CONTROL_PLANE_PACKAGES = {
  "kube-apiserver": "k8s.io/kubernetes/cmd/kube-apiserver",
  "kube-controller-manager": "k8s.io/kubernetes/cmd/kube-controller-manager",
  etcd: "go.etcd.io/etcd/server/v3",
} as const;

export type ControlPlaneBinary = keyof typeof CONTROL_PLANE_PACKAGES;
