/**
 * Reads of a controller's own objects from its informer's store, with read-your-writes.
 *
 * Reading from the cache, as Flux's controllers do, saves a GET per object per reconcile. The one
 * hazard is a reconcile that starts before the watch has delivered the controller's own last write
 * (a status patch, a finalizer): it would compute its status diff against an older status and could
 * leave a field as the cache showed it rather than as it is. So every write notes the
 * resourceVersion the server answered with, and until the informer has shown that version the
 * object is read from the API server instead. resourceVersions are only compared for equality
 * (they are opaque); a write whose version the watch never shows (a relist that skipped it, another
 * writer right after) stops counting after `maxWaitMs`, by which time the cache is newer anyway.
 */
import { keyOf } from "../reconciler.js";
import type { Store } from "./store.js";
import type { InformerHandler, MetaObject } from "./types.js";

/** What the cache can say about one key. */
export type CachedRead<T> = { readonly fresh: true; readonly obj: T | undefined } | { readonly fresh: false };

/** A written version the watch has not shown yet. */
interface Awaited {
  readonly resourceVersion: string;
  readonly at: number;
}

/** The store of one informer, with the versions this controller wrote to it. */
export class FreshReads<T extends MetaObject> {
  private readonly awaited = new Map<string, Awaited>();

  constructor(
    private readonly store: Store<T>,
    private readonly maxWaitMs = 30_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Add to the informer: clears a key once the watch shows the version written. */
  readonly handler: InformerHandler<T> = {
    onAdd: (obj) => this.observe(obj),
    onUpdate: (_old, obj) => this.observe(obj),
    onDelete: (obj) => void this.awaited.delete(keyOf(obj)),
  };

  /** Notes a write to `key` that the server answered with `resourceVersion`. */
  wrote(key: string, resourceVersion: string | undefined): void {
    if (resourceVersion === undefined || resourceVersion === "") this.awaited.delete(key);
    else if (this.store.get(key)?.metadata?.resourceVersion !== resourceVersion)
      this.awaited.set(key, { resourceVersion, at: this.now() });
  }

  /** The cached object (undefined: not there) when the cache holds this controller's last write. */
  get(key: string): CachedRead<T> {
    const awaited = this.awaited.get(key);
    if (awaited !== undefined) {
      if (this.now() - awaited.at < this.maxWaitMs) return { fresh: false };
      this.awaited.delete(key);
    }
    return { fresh: true, obj: this.store.get(key) };
  }

  /** The object from the cache when it is fresh, else from `readLive` (the API server). */
  read(key: string, readLive: () => Promise<T | undefined>): Promise<T | undefined> {
    const cached = this.get(key);
    return cached.fresh ? Promise.resolve(cached.obj) : readLive();
  }

  private observe(obj: T): void {
    const key = keyOf(obj);
    if (this.awaited.get(key)?.resourceVersion === obj.metadata?.resourceVersion) this.awaited.delete(key);
  }
}
