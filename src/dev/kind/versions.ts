/**
 * Pinned versions of the kind path. Kubernetes is the control plane's version, so the node image
 * runs the same kube-apiserver the integration tests run.
 */
export { KUBERNETES_VERSION } from "../control-plane/versions.js";

/** kind itself, built from its Go module when no `kind` is on PATH. */
export const KIND_VERSION = "v0.33.0";
/** CoreDNS for the node image, built from its Go module. */
export const COREDNS_VERSION = "v1.14.6";
/** crictl (kind calls it inside the node), built from its Go module. */
export const CRI_TOOLS_VERSION = "v1.34.0";

/** The node image built here when none can be pulled. */
export const LOCAL_NODE_IMAGE = "kindest/node:v1.37.2-mooring";
/** The base image built here for LOCAL_NODE_IMAGE. */
export const LOCAL_BASE_IMAGE = "kindest/base:mooring-bookworm";

/** The Go packages of the node image, by binary name (all from k8s.io/kubernetes). */
export const NODE_PACKAGES = {
  kubelet: "k8s.io/kubernetes/cmd/kubelet",
  kubeadm: "k8s.io/kubernetes/cmd/kubeadm",
  kubectl: "k8s.io/kubernetes/cmd/kubectl",
  "kube-scheduler": "k8s.io/kubernetes/cmd/kube-scheduler",
  "kube-proxy": "k8s.io/kubernetes/cmd/kube-proxy",
} as const;
