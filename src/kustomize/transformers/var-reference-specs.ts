import type { FieldSpec } from "../kustomization.js";

/** Where a pod spec sits in each workload kind, and where kustomize looks for its NFS server. */
const POD_KINDS: readonly { kind: string; podSpec: string; nfsServer: string }[] = [
  // kustomize's CronJob entry lacks the `spec/` before `volumes` (kept: it decides what expands).
  { kind: "CronJob", podSpec: "spec/jobTemplate/spec/template/spec", nfsServer: "spec/jobTemplate/spec/template/volumes/nfs/server" },
  { kind: "DaemonSet", podSpec: "spec/template/spec", nfsServer: "spec/template/spec/volumes/nfs/server" },
  { kind: "Deployment", podSpec: "spec/template/spec", nfsServer: "spec/template/spec/volumes/nfs/server" },
  { kind: "Job", podSpec: "spec/template/spec", nfsServer: "spec/template/spec/volumes/nfs/server" },
  { kind: "Pod", podSpec: "spec", nfsServer: "spec/volumes/nfs/server" },
  { kind: "ReplicaSet", podSpec: "spec/template/spec", nfsServer: "spec/template/spec/volumes/nfs/server" },
  { kind: "StatefulSet", podSpec: "spec/template/spec", nfsServer: "spec/volumeClaimTemplates/spec/nfs/server" },
];

const CONTAINER_FIELDS = ["args", "command", "env/value", "volumeMounts/mountPath"];

function podKindSpecs(entry: (typeof POD_KINDS)[number]): FieldSpec[] {
  const specs: FieldSpec[] = [];
  for (const list of ["containers", "initContainers"]) {
    for (const field of CONTAINER_FIELDS) specs.push({ kind: entry.kind, path: `${entry.podSpec}/${list}/${field}` });
  }
  specs.push({ kind: entry.kind, path: entry.nfsServer });
  if (entry.kind === "Deployment") specs.push({ kind: "Deployment", path: "spec/template/metadata/annotations" });
  return specs;
}

/**
 * The fields where kustomize expands `$(VAR)` by default (its built-in `varReference`
 * configuration): container args, command, env values and mount paths of every workload kind,
 * NFS servers, Ingress hosts and TLS secrets, Service ports, and every resource's labels and
 * annotations. `configurations:` files add to it. Kept in kustomize's order.
 */
export const VAR_REFERENCE_SPECS: readonly FieldSpec[] = [
  ...podKindSpecs(POD_KINDS[0]!),
  ...podKindSpecs(POD_KINDS[1]!),
  ...podKindSpecs(POD_KINDS[2]!),
  { kind: "Ingress", path: "spec/rules/host" },
  { kind: "Ingress", path: "spec/tls/hosts" },
  { kind: "Ingress", path: "spec/tls/secretName" },
  ...podKindSpecs(POD_KINDS[3]!),
  ...podKindSpecs(POD_KINDS[4]!),
  ...podKindSpecs(POD_KINDS[5]!),
  { kind: "Service", path: "spec/ports/port" },
  { kind: "Service", path: "spec/ports/targetPort" },
  ...podKindSpecs(POD_KINDS[6]!),
  { kind: "PersistentVolume", path: "spec/nfs/server" },
  { path: "metadata/labels" },
  { path: "metadata/annotations" },
];
