/**
 * Cluster fixtures shared by the fault tests (issue 14): GitRepositories and Kustomizations
 * applied server-side, repository content generators, and readers for status, events and Leases.
 */
import { KubernetesObjectApi, type KubeConfig, type KubernetesObject } from "@kubernetes/client-node";
import { stringify } from "yaml";
import { kubeRequest, orUndefined } from "../../../src/runtime/kube-request.js";

export const GR = { apiVersion: "source.toolkit.fluxcd.io/v1", kind: "GitRepository" } as const;
export const KS = { apiVersion: "kustomize.toolkit.fluxcd.io/v1", kind: "Kustomization" } as const;

/** An object with a spec, as the fixtures build them. */
export type SpecObject = KubernetesObject & { spec?: Record<string, unknown> };

/** Server-side applies `obj` as the test's field manager. */
export async function applyObject(kc: KubeConfig, obj: SpecObject): Promise<void> {
  const api = KubernetesObjectApi.makeApiClient(kc);
  await api.patch(obj, undefined, undefined, "fault-test", true, "application/apply-patch+yaml");
}

/** A GitRepository on `url`'s main branch. */
export function gitRepository(namespace: string, name: string, url: string, interval = "1h"): SpecObject {
  return {
    ...GR,
    metadata: { name, namespace },
    spec: { url, interval, ref: { branch: "main" }, timeout: "20s" },
  };
}

/** A Kustomization of `path` in GitRepository `source`, pruning. */
export function kustomization(
  namespace: string,
  name: string,
  source: string,
  spec: Record<string, unknown> = {},
): SpecObject {
  return {
    ...KS,
    metadata: { name, namespace },
    spec: {
      interval: "1h",
      retryInterval: "2s",
      prune: true,
      timeout: "2m",
      sourceRef: { kind: "GitRepository", name: source },
      ...spec,
    },
  };
}

/** YAML of `count` ConfigMaps named `<prefix>-<i>` carrying `value`. */
export function configMaps(namespace: string, prefix: string, count: number, value: string): string {
  return Array.from({ length: count }, (_, i) =>
    stringify({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: `${prefix}-${i}`, namespace },
      data: { v: value },
    }),
  ).join("---\n");
}

/** A Deployment that never becomes Available here (the local control plane has no kubelet). */
export function neverReadyDeployment(namespace: string, name: string): string {
  return stringify({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: "app", image: "registry.invalid/app:1" }] },
      },
    },
  });
}

/** The object at `path` (a REST path), or undefined. */
export function readPath<T>(kc: KubeConfig, path: string): Promise<T | undefined> {
  return orUndefined(kubeRequest<T>(kc, path));
}

/** A Flux object as the tests read it. */
export interface FluxObject extends KubernetesObject {
  status?: {
    conditions?: { type: string; status: string; reason?: string; message?: string }[];
    lastAppliedRevision?: string;
    artifact?: { url?: string; revision?: string };
    inventory?: { entries?: { id: string }[] };
  };
}

/** Reads a Kustomization. */
export function readKs(kc: KubeConfig, namespace: string, name: string): Promise<FluxObject | undefined> {
  return readPath(kc, `/apis/kustomize.toolkit.fluxcd.io/v1/namespaces/${namespace}/kustomizations/${name}`);
}

/** Reads a GitRepository. */
export function readGr(kc: KubeConfig, namespace: string, name: string): Promise<FluxObject | undefined> {
  return readPath(kc, `/apis/source.toolkit.fluxcd.io/v1/namespaces/${namespace}/gitrepositories/${name}`);
}

/** The Ready condition of `obj`. */
export function readyOf(obj: FluxObject | undefined): { status?: string; reason?: string; message?: string } {
  return obj?.status?.conditions?.find((c) => c.type === "Ready") ?? {};
}

/** Names of the ConfigMaps in `namespace` whose names start with `prefix`. */
export async function configMapNames(kc: KubeConfig, namespace: string, prefix: string): Promise<string[]> {
  const list = await kubeRequest<{ items: { metadata: { name: string } }[] }>(
    kc,
    `/api/v1/namespaces/${namespace}/configmaps`,
  );
  return list.items
    .map((i) => i.metadata.name)
    .filter((n) => n.startsWith(prefix))
    .sort();
}

/** Messages of every Event in `namespace`. */
export async function eventMessages(kc: KubeConfig, namespace: string): Promise<string[]> {
  const list = await kubeRequest<{ items: { message?: string; note?: string }[] }>(
    kc,
    `/api/v1/namespaces/${namespace}/events`,
  );
  return list.items.map((e) => e.message ?? e.note ?? "");
}

/** The holder of Lease `name` ("" when released or absent). */
export async function leaseHolder(kc: KubeConfig, namespace: string, name: string): Promise<string> {
  const lease = await readPath<{ spec?: { holderIdentity?: string } }>(
    kc,
    `/apis/coordination.k8s.io/v1/namespaces/${namespace}/leases/${name}`,
  );
  return lease?.spec?.holderIdentity ?? "";
}
