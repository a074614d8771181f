/**
 * {@link KustomizationClient} over the API server with @kubernetes/client-node: plain GETs and
 * merge patches. The manager may wrap it to serve `getKustomization`/`getSource` from informer
 * caches; dependencies are always read here, uncached, as Flux does.
 */
import {
  CoreV1Api,
  CustomObjectsApi,
  type KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
  setHeaderOptions,
} from "@kubernetes/client-node";
import { GIT_REPOSITORY, KUSTOMIZATION, type Kustomization } from "../api/index.js";
import type { ObjectRef } from "../apply/cluster/types.js";
import { orUndefined } from "../runtime/kube-request.js";
import type { EventRecord } from "../runtime/event-types.js";
import { involvedObjectOf, type EventSinkFn } from "../runtime/events.js";
import type { ObjectKey } from "../runtime/reconciler.js";
import type { KustomizationClient, SourceKey, SourceObject } from "./ports.js";

export type { EventSinkFn } from "../runtime/events.js";

const PLURALS: Readonly<Record<string, { group: string; version: string; plural: string }>> = {
  [GIT_REPOSITORY.kind]: GIT_REPOSITORY,
};

const mergePatch = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);

/** A {@link KustomizationClient} talking to the cluster of `kc`. */
export class ApiKustomizationClient implements KustomizationClient {
  private readonly custom: CustomObjectsApi;
  private readonly core: CoreV1Api;
  private readonly objects: KubernetesObjectApi;

  constructor(
    kc: KubeConfig,
    private readonly recordEvent: EventSinkFn,
  ) {
    this.custom = kc.makeApiClient(CustomObjectsApi);
    this.core = kc.makeApiClient(CoreV1Api);
    this.objects = KubernetesObjectApi.makeApiClient(kc);
  }

  getKustomization(key: ObjectKey): Promise<Kustomization | undefined> {
    return this.getKustomizationUncached(key);
  }

  async getKustomizationUncached(key: ObjectKey): Promise<Kustomization | undefined> {
    const req = {
      group: KUSTOMIZATION.group,
      version: KUSTOMIZATION.version,
      plural: KUSTOMIZATION.plural,
      ...key,
    };
    return (await orUndefined(this.custom.getNamespacedCustomObject(req))) as Kustomization | undefined;
  }

  async getSource(key: SourceKey): Promise<SourceObject | undefined> {
    const kind = PLURALS[key.kind];
    if (kind === undefined) return undefined;
    const req = {
      group: kind.group,
      version: kind.version,
      plural: kind.plural,
      namespace: key.namespace,
      name: key.name,
    };
    return (await orUndefined(this.custom.getNamespacedCustomObject(req))) as SourceObject | undefined;
  }

  async getConfigData(
    kind: "ConfigMap" | "Secret",
    key: ObjectKey,
  ): Promise<Record<string, string> | undefined> {
    if (kind === "ConfigMap") {
      const cm = await orUndefined(this.core.readNamespacedConfigMap(key));
      return cm === undefined ? undefined : (cm.data ?? {});
    }
    const secret = await orUndefined(this.core.readNamespacedSecret(key));
    return secret === undefined ? undefined : (secret.data ?? {});
  }

  async serviceAccountExists(key: ObjectKey): Promise<boolean> {
    return (await orUndefined(this.core.readNamespacedServiceAccount(key))) !== undefined;
  }

  async objectExists(ref: ObjectRef): Promise<boolean> {
    const apiVersion = ref.group === "" ? ref.version : `${ref.group}/${ref.version}`;
    const header = {
      apiVersion,
      kind: ref.kind,
      metadata: { name: ref.name, ...(ref.namespace ? { namespace: ref.namespace } : {}) },
    };
    return (await orUndefined(this.objects.read(header))) !== undefined;
  }

  async patchStatus(obj: Kustomization): Promise<void> {
    const req = {
      group: KUSTOMIZATION.group,
      version: KUSTOMIZATION.version,
      plural: KUSTOMIZATION.plural,
      namespace: obj.metadata.namespace ?? "",
      name: obj.metadata.name ?? "",
      body: { status: obj.status ?? {} },
    };
    await this.custom.patchNamespacedCustomObjectStatus(req, mergePatch);
  }

  async setFinalizers(obj: Kustomization, finalizers: readonly string[]): Promise<void> {
    const req = {
      group: KUSTOMIZATION.group,
      version: KUSTOMIZATION.version,
      plural: KUSTOMIZATION.plural,
      namespace: obj.metadata.namespace ?? "",
      name: obj.metadata.name ?? "",
      body: { metadata: { finalizers: [...finalizers], resourceVersion: obj.metadata.resourceVersion } },
    };
    await orUndefined(this.custom.patchNamespacedCustomObject(req, mergePatch));
  }

  emitEvent(obj: Kustomization, event: EventRecord): Promise<void> {
    this.recordEvent(involvedObjectOf(obj), event);
    return Promise.resolve();
  }
}
