import type { FieldSpec } from "./kustomization.js";

/**
 * The built-in field-spec tables: which fields of which Kubernetes kinds hold labels,
 * annotations, selectors, namespaces and references to other objects by name. They are facts
 * about the Kubernetes API, written here as data (kustomize's defaults, re-expressed).
 */

interface SpecOpts {
  create?: boolean;
  version?: string;
}

const spec = (path: string, kind?: string, group?: string, opts: SpecOpts = {}): FieldSpec => ({
  path,
  ...(kind ? { kind } : {}),
  ...(group ? { group } : {}),
  ...(opts.version ? { version: opts.version } : {}),
  ...(opts.create ? { create: true } : {}),
});

/** Workloads and where their pod template metadata lives. */
const TEMPLATE_HOLDERS: Array<[kind: string, group: string | undefined, version: string | undefined, prefix: string]> = [
  ["ReplicationController", undefined, "v1", "spec/template"],
  ["Deployment", undefined, undefined, "spec/template"],
  ["ReplicaSet", undefined, undefined, "spec/template"],
  ["DaemonSet", undefined, undefined, "spec/template"],
  ["StatefulSet", "apps", undefined, "spec/template"],
  ["Job", "batch", undefined, "spec/template"],
  ["CronJob", "batch", undefined, "spec/jobTemplate"],
  ["CronJob", "batch", undefined, "spec/jobTemplate/spec/template"],
];

function metadataSpecs(field: "labels" | "annotations", statefulSetGroup: boolean): FieldSpec[] {
  const out = [spec(`metadata/${field}`, undefined, undefined, { create: true })];
  for (const [kind, group, version, prefix] of TEMPLATE_HOLDERS) {
    const g = kind === "StatefulSet" && !statefulSetGroup ? undefined : group;
    out.push(spec(`${prefix}/metadata/${field}`, kind, g, { create: true, version }));
  }
  return out;
}

const AFFINITY_SELECTORS = [
  "spec/template/spec/affinity/podAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels",
  "spec/template/spec/affinity/podAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels",
  "spec/template/spec/affinity/podAntiAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels",
  "spec/template/spec/affinity/podAntiAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels",
  "spec/template/spec/topologySpreadConstraints/labelSelector/matchLabels",
];

/** Label fields of `metadata` and pod templates (the `labels` field without selectors). */
export const METADATA_LABEL_SPECS: FieldSpec[] = metadataSpecs("labels", true);

/** StatefulSet volume claim template labels. */
export const VOLUME_CLAIM_TEMPLATE_LABEL_SPECS: FieldSpec[] = [
  spec("spec/volumeClaimTemplates[]/metadata/labels", "StatefulSet", "apps", { create: true }),
];

/** Fields `commonLabels` (and `labels` with includeSelectors) write: labels plus selectors. */
export const COMMON_LABEL_SPECS: FieldSpec[] = [
  spec("spec/selector", "Service", undefined, { create: true, version: "v1" }),
  spec("spec/selector", "ReplicationController", undefined, { create: true, version: "v1" }),
  spec("spec/selector/matchLabels", "Deployment", undefined, { create: true }),
  ...AFFINITY_SELECTORS.map((p) => spec(p, "Deployment", "apps")),
  spec("spec/selector/matchLabels", "ReplicaSet", undefined, { create: true }),
  spec("spec/selector/matchLabels", "DaemonSet", undefined, { create: true }),
  spec("spec/selector/matchLabels", "StatefulSet", "apps", { create: true }),
  ...AFFINITY_SELECTORS.map((p) => spec(p, "StatefulSet", "apps")),
  spec("spec/selector/matchLabels", "Job", "batch"),
  spec("spec/jobTemplate/spec/selector/matchLabels", "CronJob", "batch"),
  spec("spec/selector/matchLabels", "PodDisruptionBudget", "policy"),
  spec("spec/podSelector/matchLabels", "NetworkPolicy", "networking.k8s.io"),
  spec("spec/ingress/from/podSelector/matchLabels", "NetworkPolicy", "networking.k8s.io"),
  spec("spec/egress/to/podSelector/matchLabels", "NetworkPolicy", "networking.k8s.io"),
  ...METADATA_LABEL_SPECS,
  ...VOLUME_CLAIM_TEMPLATE_LABEL_SPECS,
];

/** Template label fields (`labels` with includeTemplates); v5.5 includes volume claim templates. */
export const TEMPLATE_LABEL_SPECS: FieldSpec[] = [...METADATA_LABEL_SPECS, ...VOLUME_CLAIM_TEMPLATE_LABEL_SPECS];

/** Fields `commonAnnotations` writes. */
export const COMMON_ANNOTATION_SPECS: FieldSpec[] = metadataSpecs("annotations", false);

/** Name fields namePrefix/nameSuffix change. */
export const NAME_SPECS: FieldSpec[] = [spec("metadata/name")];

/** Namespace fields beyond metadata.namespace that `namespace` sets. */
export const NAMESPACE_SPECS: FieldSpec[] = [
  spec("metadata/name", "Namespace", undefined, { create: true }),
  spec("spec/service/namespace", "APIService", "apiregistration.k8s.io", { create: true }),
  spec("spec/conversion/webhook/clientConfig/service/namespace", "CustomResourceDefinition", "apiextensions.k8s.io"),
];

/** Fields holding container images (the images transformer's defaults). */
export const IMAGE_SPECS: FieldSpec[] = [
  spec("spec/containers[]/image"),
  spec("spec/initContainers[]/image"),
  spec("spec/template/spec/containers[]/image"),
  spec("spec/template/spec/initContainers[]/image"),
];

/** Fields holding replica counts. */
export const REPLICA_SPECS: FieldSpec[] = [
  spec("spec/replicas", "Deployment", undefined, { create: true }),
  spec("spec/replicas", "ReplicationController", undefined, { create: true }),
  spec("spec/replicas", "ReplicaSet", undefined, { create: true }),
  spec("spec/replicas", "StatefulSet", undefined, { create: true }),
];
