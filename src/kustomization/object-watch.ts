/**
 * A watched collection with a local store, for the controller's two watches (Kustomizations and
 * GitRepositories). Handlers get the old and the new object, so predicates can compare them.
 *
 * SEAM: the runtime engineer's informers (issue 3 item 2) will replace this; until they land it
 * rides on the apply layer's Reflector (list + watch, bookmarks, relist on 410, reconnect with
 * backoff).
 */
import type { KubeConfig } from "@kubernetes/client-node";
import { KubeHttp } from "../apply/cluster/http.js";
import { Reflector } from "../apply/cluster/reflector.js";
import type { KubeObject } from "../apply/types.js";

/** Receives changes; must only map them to queue keys. */
export interface WatchHandler<T> {
  upsert(old: T | undefined, next: T): void;
  delete(old: T): void;
}

const keyOf = (o: KubeObject): string => `${o.metadata.namespace ?? ""}/${o.metadata.name ?? ""}`;

/** A store mirroring one collection, calling a handler with old/new pairs. */
export class ObjectWatch<T extends KubeObject> {
  private readonly store = new Map<string, T>();
  private reflector: Reflector | undefined;

  constructor(
    private readonly kc: KubeConfig,
    private readonly collection: {
      readonly path: string;
      readonly apiVersion: string;
      readonly kind: string;
      /** `--watch-label-selector` (sharding); every object when absent. */
      readonly labelSelector?: string | undefined;
    },
    private readonly handler: WatchHandler<T>,
  ) {}

  /** The stored object of `namespace/name`. */
  get(key: string): T | undefined {
    return this.store.get(key);
  }

  /** Whether the initial list has completed (and no error since). */
  get synced(): boolean {
    return this.reflector?.synced ?? false;
  }

  start(): this {
    this.reflector = new Reflector(new KubeHttp(this.kc), this.collection, {
      replace: (items) => this.replace(items as T[]),
      event: (type, obj) => (type === "DELETED" ? this.remove(obj as T) : this.put(obj as T)),
    }).start();
    return this;
  }

  stop(): void {
    this.reflector?.stop();
  }

  private put(obj: T): void {
    const key = keyOf(obj);
    const old = this.store.get(key);
    this.store.set(key, obj);
    this.handler.upsert(old, obj);
  }

  private remove(obj: T): void {
    const key = keyOf(obj);
    const old = this.store.get(key) ?? obj;
    this.store.delete(key);
    this.handler.delete(old);
  }

  private replace(items: readonly T[]): void {
    const seen = new Set(items.map(keyOf));
    for (const [key, old] of [...this.store]) if (!seen.has(key)) this.remove(old);
    for (const item of items) this.put(item);
  }
}
