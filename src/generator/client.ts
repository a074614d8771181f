/**
 * What the ArtifactGenerator reconciler needs from the cluster, as one narrow interface, and its
 * implementation over the API server: generators and sources read from informer caches (as
 * source-watcher reads them), ExternalArtifacts written with server-side apply under
 * source-watcher's field manager, generator status with a merge patch.
 */
import type { KubeConfig } from "../runtime/kubeconfig/index.js";
import {
  ARTIFACT_GENERATOR,
  ARTIFACT_GENERATOR_LABEL,
  type ArtifactGenerator,
  type ExternalArtifact,
  EXTERNAL_ARTIFACT,
  sourceKindInfo,
  SOURCE_WATCHER_MANAGER,
} from "../api/index.js";
import type { EventRecord } from "../runtime/event-types.js";
import { involvedObjectOf, type EventSinkFn } from "../runtime/events.js";
import type { Store } from "../runtime/informer/store.js";
import type { MetaObject } from "../runtime/informer/types.js";
import { kubeRequest, orUndefined, resourcePath } from "../runtime/kube-request.js";
import { formatKey, type ObjectKey } from "../runtime/reconciler.js";
import { patchObjectStatus, type StatusPatch } from "../runtime/status-patch.js";
import type { SourceObject } from "../kustomization/ports.js";

/** Reads and writes of the ArtifactGenerator reconciler. */
export interface GeneratorClient {
  /** The generator from the cache; undefined when gone. */
  get(key: ObjectKey): ArtifactGenerator | undefined;
  /** A source of a supported kind from its cache; undefined when it does not exist. */
  getSource(kind: string, key: ObjectKey): SourceObject | undefined;
  /** The ExternalArtifact from the cache; undefined when it does not exist. */
  getExternalArtifact(key: ObjectKey): ExternalArtifact | undefined;
  /** ExternalArtifacts in `namespace` carrying the generator label `uid`. */
  listGenerated(namespace: string, uid: string): ExternalArtifact[];
  /** Server-side applies an ExternalArtifact's metadata and spec; returns the stored object. */
  applyExternalArtifact(ea: ExternalArtifact): Promise<ExternalArtifact>;
  /** Writes an ExternalArtifact's status. */
  patchExternalArtifactStatus(ea: ExternalArtifact): Promise<void>;
  /** Deletes an ExternalArtifact (gone already is fine). */
  deleteExternalArtifact(key: ObjectKey): Promise<void>;
  /** Sends a status merge patch (see runtime/finish-status.ts); observedGeneration is not kept. */
  patchStatus(obj: ArtifactGenerator, patch: StatusPatch): Promise<void>;
  /** Replaces the finalizers, guarded by resourceVersion; returns the updated object. */
  setFinalizers(
    obj: ArtifactGenerator,
    finalizers: readonly string[],
  ): Promise<ArtifactGenerator | undefined>;
  emitEvent(obj: ArtifactGenerator, event: EventRecord): void;
}

/** The informer caches the client reads. */
export interface GeneratorCaches {
  readonly generators: Store<ArtifactGenerator & MetaObject>;
  readonly externalArtifacts: Store<ExternalArtifact & MetaObject>;
  /** By source kind (the kinds of the source-kinds table). */
  readonly sources: ReadonlyMap<string, Store<SourceObject & MetaObject>>;
}

const eaPath = (key: ObjectKey): string =>
  resourcePath({ apiVersion: EXTERNAL_ARTIFACT.apiVersion, plural: EXTERNAL_ARTIFACT.plural, ...key });
const agPath = (key: ObjectKey): string =>
  resourcePath({ apiVersion: ARTIFACT_GENERATOR.apiVersion, plural: ARTIFACT_GENERATOR.plural, ...key });
const keyOfObj = (o: { metadata: { namespace?: string; name?: string } }): ObjectKey => ({
  namespace: o.metadata.namespace ?? "",
  name: o.metadata.name ?? "",
});

/** The API implementation. */
export class ApiGeneratorClient implements GeneratorClient {
  constructor(
    private readonly kc: KubeConfig,
    private readonly caches: GeneratorCaches,
    private readonly recordEvent: EventSinkFn,
  ) {}

  get(key: ObjectKey): ArtifactGenerator | undefined {
    return this.caches.generators.get(formatKey(key));
  }

  getSource(kind: string, key: ObjectKey): SourceObject | undefined {
    if (sourceKindInfo(kind) === undefined) return undefined;
    return this.caches.sources.get(kind)?.get(formatKey(key));
  }

  getExternalArtifact(key: ObjectKey): ExternalArtifact | undefined {
    return this.caches.externalArtifacts.get(formatKey(key));
  }

  listGenerated(namespace: string, uid: string): ExternalArtifact[] {
    return this.caches.externalArtifacts
      .list()
      .filter(
        (ea) => ea.metadata.namespace === namespace && ea.metadata.labels?.[ARTIFACT_GENERATOR_LABEL] === uid,
      );
  }

  async applyExternalArtifact(ea: ExternalArtifact): Promise<ExternalArtifact> {
    const { status: _status, ...body } = ea;
    return kubeRequest<ExternalArtifact>(this.kc, eaPath(keyOfObj(ea)), {
      method: "PATCH",
      body,
      contentType: "application/apply-patch+yaml",
      query: { fieldManager: SOURCE_WATCHER_MANAGER, force: true },
    });
  }

  async patchExternalArtifactStatus(ea: ExternalArtifact): Promise<void> {
    await kubeRequest(this.kc, `${eaPath(keyOfObj(ea))}/status`, {
      method: "PATCH",
      // A merge patch keeps keys it does not mention: say `null` for artifact fields now absent
      // (an originRevision dropped from the spec must drop the metadata too).
      body: { status: { ...ea.status, artifact: { size: null, metadata: null, ...ea.status?.artifact } } },
      contentType: "application/merge-patch+json",
    });
  }

  async deleteExternalArtifact(key: ObjectKey): Promise<void> {
    await orUndefined(kubeRequest(this.kc, eaPath(key), { method: "DELETE" }));
  }

  async patchStatus(obj: ArtifactGenerator, patch: StatusPatch): Promise<void> {
    const { observedGeneration: _unused, ...rest } = patch;
    if (Object.keys(rest).length > 0) await patchObjectStatus(this.kc, agPath(keyOfObj(obj)), rest);
  }

  async setFinalizers(
    obj: ArtifactGenerator,
    finalizers: readonly string[],
  ): Promise<ArtifactGenerator | undefined> {
    return orUndefined(
      kubeRequest<ArtifactGenerator>(this.kc, agPath(keyOfObj(obj)), {
        method: "PATCH",
        body: { metadata: { finalizers: [...finalizers], resourceVersion: obj.metadata.resourceVersion } },
        contentType: "application/merge-patch+json",
      }),
    );
  }

  emitEvent(obj: ArtifactGenerator, event: EventRecord): void {
    this.recordEvent(involvedObjectOf(obj), event);
  }
}
