/**
 * The API-server side of {@link EventSink}: creates core/v1 Events and merge-patches the count of
 * aggregated repeats. Kept apart from the recorder so the recorder's logic is tested without a
 * cluster.
 */
import type { KubeConfig } from "./kubeconfig/index.js";
import type { CoreEvent, EventSink } from "./events.js";
import { kubeRequest, resourcePath } from "./kube-request.js";

const events = (namespace: string, name?: string): string =>
  resourcePath({ apiVersion: "v1", plural: "events", namespace, ...(name ? { name } : {}) });

/** An {@link EventSink} writing to the cluster of `kubeConfig`. */
export function apiEventSink(kubeConfig: KubeConfig): EventSink {
  return {
    async create(event: CoreEvent): Promise<void> {
      await kubeRequest(kubeConfig, events(event.metadata.namespace), { method: "POST", body: event });
    },
    async update(namespace, name, patch): Promise<void> {
      await kubeRequest(kubeConfig, events(namespace, name), { method: "PATCH", body: patch });
    },
  };
}
