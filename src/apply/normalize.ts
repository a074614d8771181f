/**
 * What Flux does to rendered objects before applying them (flux-compat §4.1, §3.4 step 6):
 * default port protocols the API server would add (else every dry-run shows drift), turn Secret
 * `stringData` into `data`, drop `status` (except on CRDs, which kstatus reads) and
 * `creationTimestamp`, remove an unparsable CRD conversion `caBundle`; then stamp the owner
 * labels and `commonMetadata` (which may override them).
 */
import { X509Certificate } from "node:crypto";
import { OWNER_NAME_LABEL, OWNER_NAMESPACE_LABEL } from "../api/constants.js";
import { isJsonObject, type JsonObject } from "../util/kube-object.js";
import { isCRD } from "./staging.js";
import type { KubeObject } from "./types.js";

/** `spec.commonMetadata`. */
export interface CommonMetadata {
  labels?: Readonly<Record<string, string>>;
  annotations?: Readonly<Record<string, string>>;
}

const asObject = (v: unknown): JsonObject | undefined => (isJsonObject(v) ? v : undefined);
const path = (root: unknown, ...keys: string[]): JsonObject | undefined =>
  keys.reduce<JsonObject | undefined>((o, k) => asObject(o?.[k]), asObject(root));

function defaultProtocol(ports: unknown): void {
  if (!Array.isArray(ports)) return;
  for (const port of ports) {
    if (
      isJsonObject(port) &&
      (port.protocol === undefined || port.protocol === null || port.protocol === "")
    ) {
      port.protocol = "TCP";
    }
  }
}

/** Flux defaults `containers[].ports[].protocol` only (not init or ephemeral containers). */
function defaultPodSpec(podSpec: JsonObject | undefined): void {
  const containers = podSpec?.containers;
  if (!Array.isArray(containers)) return;
  for (const c of containers) if (isJsonObject(c)) defaultProtocol(c.ports);
}

/** Where each built-in workload keeps its pod spec, keyed by `apiVersion kind`. */
const POD_SPEC_PATHS: Readonly<Record<string, readonly string[]>> = {
  "v1 Pod": ["spec"],
  "apps/v1 Deployment": ["spec", "template", "spec"],
  "apps/v1 StatefulSet": ["spec", "template", "spec"],
  "apps/v1 DaemonSet": ["spec", "template", "spec"],
  "apps/v1 ReplicaSet": ["spec", "template", "spec"],
  "batch/v1 Job": ["spec", "template", "spec"],
  "batch/v1 CronJob": ["spec", "jobTemplate", "spec", "template", "spec"],
};

function normalizeSecret(o: KubeObject): void {
  const stringData = asObject(o.stringData);
  if (stringData !== undefined && Object.keys(stringData).length > 0) {
    const data = asObject(o.data) ?? {};
    for (const [k, v] of Object.entries(stringData)) {
      data[k] = Buffer.from(typeof v === "string" ? v : String(v), "utf8").toString("base64");
    }
    o.data = data;
  }
  delete o.stringData;
}

/** True when `caBundle` (base64 PEM) holds at least one parsable certificate, as Go requires. */
export function isValidCABundle(caBundle: string): boolean {
  if (caBundle === "") return true;
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(caBundle) || caBundle.length % 4 !== 0) return false;
  const pem = Buffer.from(caBundle, "base64").toString("latin1");
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  return blocks.some((block) => {
    try {
      new X509Certificate(block);
      return true;
    } catch {
      return false;
    }
  });
}

function removeInvalidCABundle(o: KubeObject): void {
  const clientConfig = path(o, "spec", "conversion", "webhook", "clientConfig");
  const caBundle = clientConfig?.caBundle;
  if (clientConfig && typeof caBundle === "string" && !isValidCABundle(caBundle))
    delete clientConfig.caBundle;
}

/** A normalised deep copy of `obj` (the input is not modified). */
export function normalizeObject(obj: KubeObject): KubeObject {
  const o = structuredClone(obj);
  const podSpecPath = POD_SPEC_PATHS[`${o.apiVersion} ${o.kind}`];
  if (podSpecPath) defaultPodSpec(path(o, ...podSpecPath));
  if (o.apiVersion === "v1" && o.kind === "Service") defaultProtocol(path(o, "spec")?.ports);
  if (o.apiVersion === "v1" && o.kind === "Secret") normalizeSecret(o);
  delete o.metadata.creationTimestamp;
  if (isCRD(o)) removeInvalidCABundle(o);
  else delete o.status;
  return o;
}

/** Sets both owner labels (overwriting any values from the source). Mutates `obj`. */
export function setOwnerLabels(obj: KubeObject, name: string, namespace: string): void {
  obj.metadata.labels = {
    ...obj.metadata.labels,
    [OWNER_NAME_LABEL]: name,
    [OWNER_NAMESPACE_LABEL]: namespace,
  };
}

/** Stamps `commonMetadata`, overriding existing keys. Mutates `obj`. */
export function setCommonMetadata(obj: KubeObject, meta: CommonMetadata): void {
  if (meta.labels && Object.keys(meta.labels).length > 0)
    obj.metadata.labels = { ...obj.metadata.labels, ...meta.labels };
  if (meta.annotations && Object.keys(meta.annotations).length > 0) {
    obj.metadata.annotations = { ...obj.metadata.annotations, ...meta.annotations };
  }
}

/** Who owns the objects, and what else to stamp on them. */
export interface PrepareOptions {
  owner: { name: string; namespace: string };
  commonMetadata?: CommonMetadata | undefined;
}

/**
 * The full pre-apply pipeline in Flux's order: owner labels, normalisation, then
 * `commonMetadata` (so it can override the owner labels). Returns new objects.
 */
export function prepareForApply(objects: readonly KubeObject[], options: PrepareOptions): KubeObject[] {
  return objects.map((input) => {
    const o = normalizeObject(input);
    setOwnerLabels(o, options.owner.name, options.owner.namespace);
    if (options.commonMetadata) setCommonMetadata(o, options.commonMetadata);
    return o;
  });
}
