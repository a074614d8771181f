import type { FieldSpec } from "./kustomization.js";

/**
 * Which fields refer to which kinds by name (the back-references kustomize fixes after renaming).
 * Facts about the Kubernetes API, expressed as data: a referred kind and the referrer fields.
 */
export interface NameRefRule {
  /** The referred kind (and group/version when they matter). */
  group?: string;
  version?: string;
  kind: string;
  /** Fields in referrers that hold the referred object's name. */
  referrers: FieldSpec[];
}

type PodHolder = [kind: string, prefix: string, group?: string, version?: string];

/** Kinds that embed a pod spec and the path to it. */
const CONFIG_POD_HOLDERS: PodHolder[] = [
  ["Pod", "spec", undefined, "v1"],
  ["PodTemplate", "template/spec"],
  ["Deployment", "spec/template/spec"],
  ["ReplicaSet", "spec/template/spec"],
  ["DaemonSet", "spec/template/spec"],
  ["StatefulSet", "spec/template/spec"],
  ["Job", "spec/template/spec"],
  ["CronJob", "spec/jobTemplate/spec/template/spec"],
];

const WORKLOAD_POD_HOLDERS: PodHolder[] = [
  ["Pod", "spec"],
  ["StatefulSet", "spec/template/spec"],
  ["Deployment", "spec/template/spec"],
  ["ReplicationController", "spec/template/spec"],
  ["CronJob", "spec/jobTemplate/spec/template/spec"],
  ["Job", "spec/template/spec"],
  ["DaemonSet", "spec/template/spec"],
];

function inPods(holders: PodHolder[], suffixes: string[]): FieldSpec[] {
  const out: FieldSpec[] = [];
  for (const [kind, prefix, group, version] of holders) {
    for (const s of suffixes) {
      out.push({ path: `${prefix}/${s}`, kind, ...(group ? { group } : {}), ...(version ? { version } : {}) });
    }
  }
  return out;
}

const ref = (path: string, kind: string, group?: string, version?: string): FieldSpec => ({
  path,
  kind,
  ...(group ? { group } : {}),
  ...(version ? { version } : {}),
});

const CONFIGMAP_POD_FIELDS = [
  "volumes/configMap/name",
  "containers/env/valueFrom/configMapKeyRef/name",
  "initContainers/env/valueFrom/configMapKeyRef/name",
  "containers/envFrom/configMapRef/name",
  "initContainers/envFrom/configMapRef/name",
  "volumes/projected/sources/configMap/name",
];

const SECRET_POD_FIELDS = [
  "volumes/secret/secretName",
  "containers/env/valueFrom/secretKeyRef/name",
  "initContainers/env/valueFrom/secretKeyRef/name",
  "containers/envFrom/secretRef/name",
  "initContainers/envFrom/secretRef/name",
  "imagePullSecrets/name",
  "volumes/projected/sources/secret/name",
];

const scaleTarget = (kind: string): NameRefRule => ({
  kind,
  referrers: [ref("spec/scaleTargetRef/name", "HorizontalPodAutoscaler")],
});

/** The built-in name-reference rules, in kustomize's order. */
export const NAME_REFERENCE_RULES: NameRefRule[] = [
  scaleTarget("Deployment"),
  scaleTarget("ReplicationController"),
  scaleTarget("ReplicaSet"),
  scaleTarget("StatefulSet"),
  {
    kind: "ConfigMap",
    version: "v1",
    referrers: [
      ...inPods(CONFIG_POD_HOLDERS, CONFIGMAP_POD_FIELDS),
      ref("spec/configSource/configMap", "Node"),
      ref("rules/resourceNames", "Role"),
      ref("rules/resourceNames", "ClusterRole"),
      ref("metadata/annotations/nginx.ingress.kubernetes.io\\/fastcgi-params-configmap", "Ingress"),
    ],
  },
  {
    kind: "Secret",
    version: "v1",
    referrers: [
      ...inPods(CONFIG_POD_HOLDERS, SECRET_POD_FIELDS),
      ref("spec/tls/secretName", "Ingress"),
      ref("metadata/annotations/ingress.kubernetes.io\\/auth-secret", "Ingress"),
      ref("metadata/annotations/nginx.ingress.kubernetes.io\\/auth-secret", "Ingress"),
      ref("metadata/annotations/nginx.ingress.kubernetes.io\\/auth-tls-secret", "Ingress"),
      ref("imagePullSecrets/name", "ServiceAccount"),
      ref("parameters/secretName", "StorageClass"),
      ref("parameters/adminSecretName", "StorageClass"),
      ref("parameters/userSecretName", "StorageClass"),
      ref("parameters/secretRef", "StorageClass"),
      ref("rules/resourceNames", "Role"),
      ref("rules/resourceNames", "ClusterRole"),
      ref("spec/template/spec/containers/env/valueFrom/secretKeyRef/name", "Service", "serving.knative.dev", "v1"),
      ref("spec/azureFile/secretName", "PersistentVolume"),
    ],
  },
  {
    kind: "Service",
    version: "v1",
    referrers: [
      ref("spec/serviceName", "StatefulSet", "apps"),
      ref("spec/rules/http/paths/backend/serviceName", "Ingress"),
      ref("spec/backend/serviceName", "Ingress"),
      ref("spec/rules/http/paths/backend/service/name", "Ingress"),
      ref("spec/defaultBackend/service/name", "Ingress"),
      ref("spec/service/name", "APIService", "apiregistration.k8s.io"),
      ref("webhooks/clientConfig/service", "ValidatingWebhookConfiguration", "admissionregistration.k8s.io"),
      ref("webhooks/clientConfig/service", "MutatingWebhookConfiguration", "admissionregistration.k8s.io"),
    ],
  },
  {
    kind: "Role",
    group: "rbac.authorization.k8s.io",
    referrers: [ref("roleRef/name", "RoleBinding", "rbac.authorization.k8s.io")],
  },
  {
    kind: "ClusterRole",
    group: "rbac.authorization.k8s.io",
    referrers: [
      ref("roleRef/name", "RoleBinding", "rbac.authorization.k8s.io"),
      ref("roleRef/name", "ClusterRoleBinding", "rbac.authorization.k8s.io"),
    ],
  },
  {
    kind: "ServiceAccount",
    version: "v1",
    referrers: [
      ref("subjects", "RoleBinding", "rbac.authorization.k8s.io"),
      ref("subjects", "ClusterRoleBinding", "rbac.authorization.k8s.io"),
      ...inPods(WORKLOAD_POD_HOLDERS, ["serviceAccountName"]),
    ],
  },
  {
    kind: "PersistentVolumeClaim",
    version: "v1",
    referrers: inPods(WORKLOAD_POD_HOLDERS, ["volumes/persistentVolumeClaim/claimName"]),
  },
  {
    kind: "PersistentVolume",
    version: "v1",
    referrers: [ref("spec/volumeName", "PersistentVolumeClaim"), ref("rules/resourceNames", "ClusterRole")],
  },
  {
    kind: "StorageClass",
    version: "v1",
    group: "storage.k8s.io",
    referrers: [
      ref("spec/storageClassName", "PersistentVolume"),
      ref("spec/storageClassName", "PersistentVolumeClaim"),
      ref("spec/volumeClaimTemplates/spec/storageClassName", "StatefulSet"),
    ],
  },
  {
    kind: "PriorityClass",
    version: "v1",
    group: "scheduling.k8s.io",
    referrers: inPods(WORKLOAD_POD_HOLDERS, ["priorityClassName"]),
  },
  {
    kind: "IngressClass",
    version: "v1",
    // kustomize spells this group with its version, so the rule never matches; kept for fidelity.
    group: "networking.k8s.io/v1",
    referrers: [ref("spec/ingressClassName", "Ingress")],
  },
  {
    kind: "ValidatingAdmissionPolicy",
    group: "admissionregistration.k8s.io",
    referrers: [ref("spec/policyName", "ValidatingAdmissionPolicyBinding", "admissionregistration.k8s.io")],
  },
];
