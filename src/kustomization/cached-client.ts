/**
 * The reconciler's {@link KustomizationClient} with the Kustomization and its source read from the
 * controller's informer caches, as Flux's controllers read them, instead of one GET each per
 * reconcile (at 10,000 Kustomizations most of the API requests of a quiet interval). Writes go to
 * the API server and are tracked so a reconcile never reads the cache before it shows this
 * controller's own last write (runtime/informer/fresh-reads.ts). A source missing from the cache
 * (a namespace outside `--watch-all-namespaces=false`, a kind whose informer is off) is read
 * from the API server; dependencies are always read there, as before.
 */
import type { Kustomization } from "../api/index.js";
import type { EventRecord } from "../runtime/event-types.js";
import type { FreshReads } from "../runtime/informer/fresh-reads.js";
import type { Store } from "../runtime/informer/store.js";
import { formatKey, keyOf, type ObjectKey } from "../runtime/reconciler.js";
import type { StatusPatch } from "../runtime/status-patch.js";
import type { KustomizationClient, SourceKey, SourceObject } from "./ports.js";

/** The caches the client reads. */
export interface KustomizationCaches {
  readonly kustomizations: FreshReads<Kustomization>;
  /** The store of a source kind's informer, when the controller runs one. */
  readonly sources: (kind: string) => Pick<Store<SourceObject>, "get"> | undefined;
}

/** {@link KustomizationClient} reading through the controller's caches. */
export class CachedKustomizationClient implements KustomizationClient {
  constructor(
    private readonly api: KustomizationClient,
    private readonly caches: KustomizationCaches,
  ) {}

  getKustomization(key: ObjectKey): Promise<Kustomization | undefined> {
    return this.caches.kustomizations.read(formatKey(key), () => this.api.getKustomizationUncached(key));
  }

  getKustomizationUncached(key: ObjectKey): Promise<Kustomization | undefined> {
    return this.api.getKustomizationUncached(key);
  }

  getSource(key: SourceKey): Promise<SourceObject | undefined> {
    const cached = this.caches.sources(key.kind)?.get(formatKey(key));
    return cached === undefined ? this.api.getSource(key) : Promise.resolve(cached);
  }

  getConfigData(kind: "ConfigMap" | "Secret", key: ObjectKey): Promise<Record<string, string> | undefined> {
    return this.api.getConfigData(kind, key);
  }

  serviceAccountExists(key: ObjectKey): Promise<boolean> {
    return this.api.serviceAccountExists(key);
  }

  async patchStatus(obj: Kustomization, patch: StatusPatch): Promise<string | undefined> {
    return this.noteWrite(obj, await this.api.patchStatus(obj, patch));
  }

  async setFinalizers(obj: Kustomization, finalizers: readonly string[]): Promise<string | undefined> {
    return this.noteWrite(obj, await this.api.setFinalizers(obj, finalizers));
  }

  emitEvent(obj: Kustomization, event: EventRecord): Promise<void> {
    return this.api.emitEvent(obj, event);
  }

  private noteWrite(obj: Kustomization, resourceVersion: string | undefined): string | undefined {
    this.caches.kustomizations.wrote(keyOf(obj), resourceVersion);
    return resourceVersion;
  }
}
