/**
 * {@link KustomizationClient} over the API server: plain GETs and merge patches on the shared
 * transport. The manager may wrap it to serve `getKustomization`/`getSource` from informer
 * caches; dependencies are always read here, uncached, as Flux does.
 */
import type { KubeConfig } from "../runtime/kubeconfig/index.js";
import { sourceKindInfo, KUSTOMIZATION, type Kustomization } from "../api/index.js";
import { kubeRequest, orUndefined, resourcePath } from "../runtime/kube-request.js";
import type { EventRecord } from "../runtime/event-types.js";
import { patchObjectStatus, type StatusPatch } from "../runtime/status-patch.js";
import { involvedObjectOf, type EventSinkFn } from "../runtime/events.js";
import type { ObjectKey } from "../runtime/reconciler.js";
import type { KustomizationClient, SourceKey, SourceObject } from "./ports.js";

const keyOf = (obj: Kustomization): ObjectKey => ({
  namespace: obj.metadata.namespace ?? "",
  name: obj.metadata.name ?? "",
});

export type { EventSinkFn } from "../runtime/events.js";

/** The REST path of a namespaced object of a group/version/plural. */
function objectPath(
  kind: { group: string; version: string; plural: string },
  key: ObjectKey,
  subresource = "",
): string {
  const apiVersion = kind.group === "" ? kind.version : `${kind.group}/${kind.version}`;
  return resourcePath({ apiVersion, plural: kind.plural, ...key }) + subresource;
}

const core = (plural: string): { group: string; version: string; plural: string } => ({
  group: "",
  version: "v1",
  plural,
});

/** A {@link KustomizationClient} talking to the cluster of `kc`. */
export class ApiKustomizationClient implements KustomizationClient {
  constructor(
    private readonly kc: KubeConfig,
    private readonly recordEvent: EventSinkFn,
  ) {}

  getKustomization(key: ObjectKey): Promise<Kustomization | undefined> {
    return this.getKustomizationUncached(key);
  }

  getKustomizationUncached(key: ObjectKey): Promise<Kustomization | undefined> {
    return orUndefined(kubeRequest<Kustomization>(this.kc, objectPath(KUSTOMIZATION, key)));
  }

  async getSource(key: SourceKey): Promise<SourceObject | undefined> {
    const kind = sourceKindInfo(key.kind);
    if (kind === undefined) return undefined;
    const path = objectPath(kind, { namespace: key.namespace, name: key.name });
    return orUndefined(kubeRequest<SourceObject>(this.kc, path));
  }

  async getConfigData(
    kind: "ConfigMap" | "Secret",
    key: ObjectKey,
  ): Promise<Record<string, string> | undefined> {
    const plural = kind === "ConfigMap" ? "configmaps" : "secrets";
    const obj = await orUndefined(
      kubeRequest<{ data?: Record<string, string> }>(this.kc, objectPath(core(plural), key)),
    );
    return obj === undefined ? undefined : (obj.data ?? {});
  }

  async serviceAccountExists(key: ObjectKey): Promise<boolean> {
    const path = objectPath(core("serviceaccounts"), key);
    return (await orUndefined(kubeRequest(this.kc, path))) !== undefined;
  }

  patchStatus(obj: Kustomization, patch: StatusPatch): Promise<string | undefined> {
    return patchObjectStatus(this.kc, objectPath(KUSTOMIZATION, keyOf(obj)), patch);
  }

  async setFinalizers(obj: Kustomization, finalizers: readonly string[]): Promise<string | undefined> {
    const body = {
      metadata: { finalizers: [...finalizers], resourceVersion: obj.metadata.resourceVersion },
    };
    const path = objectPath(KUSTOMIZATION, keyOf(obj));
    const written = await orUndefined(kubeRequest<Kustomization>(this.kc, path, { method: "PATCH", body }));
    return written?.metadata.resourceVersion;
  }

  emitEvent(obj: Kustomization, event: EventRecord): Promise<void> {
    this.recordEvent(involvedObjectOf(obj), event);
    return Promise.resolve();
  }
}
