/** ConfigMap helpers for the runtime integration tests (a generic kind that needs no CRD). */
import type { KubeConfig } from "@kubernetes/client-node";
import { kubeRequest, resourcePath } from "../../../src/runtime/kube-request.js";
import { Semaphore } from "../../../src/runtime/semaphore.js";

export type ConfigMap = {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace: string;
    resourceVersion: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    generation?: number;
  };
  data?: Record<string, string>;
};

const sem = new Semaphore(24);

export const cmPath = (namespace: string, name?: string) =>
  resourcePath({ apiVersion: "v1", plural: "configmaps", namespace, ...(name ? { name } : {}) });

export function createCm(
  kc: KubeConfig,
  namespace: string,
  name: string,
  extra: Partial<ConfigMap["metadata"]> = {},
) {
  return kubeRequest<ConfigMap>(kc, cmPath(namespace), {
    method: "POST",
    body: { apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace, ...extra }, data: { v: "1" } },
    limiter: sem,
  });
}

export function patchCm(kc: KubeConfig, namespace: string, name: string, patch: unknown) {
  return kubeRequest<ConfigMap>(kc, cmPath(namespace, name), { method: "PATCH", body: patch, limiter: sem });
}

export function deleteCm(kc: KubeConfig, namespace: string, name: string) {
  return kubeRequest(kc, cmPath(namespace, name), { method: "DELETE", limiter: sem });
}

export async function listCms(kc: KubeConfig, namespace: string, labelSelector?: string) {
  const out = await kubeRequest<{ items: ConfigMap[] }>(kc, cmPath(namespace), {
    query: { labelSelector },
    limiter: sem,
  });
  return out.items;
}
