/**
 * The API-server side of {@link EventSink}: creates core/v1 Events and merge-patches the count of
 * aggregated repeats. Kept apart from the recorder so the recorder's logic is tested without a
 * cluster.
 */
import { KubernetesObjectApi, PatchStrategy, type KubeConfig } from "@kubernetes/client-node";
import type { CoreEvent, EventSink } from "./events.js";

/** An {@link EventSink} writing to the cluster of `kubeConfig`. */
export function apiEventSink(kubeConfig: KubeConfig): EventSink {
  const api = KubernetesObjectApi.makeApiClient(kubeConfig);
  return {
    async create(event: CoreEvent): Promise<void> {
      await api.create(event);
    },
    async update(namespace, name, patch): Promise<void> {
      const body = { apiVersion: "v1", kind: "Event", metadata: { name, namespace }, ...patch };
      await api.patch(body, undefined, undefined, undefined, undefined, PatchStrategy.MergePatch);
    },
  };
}
