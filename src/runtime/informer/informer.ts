/**
 * A shared informer: list, then watch from the list's resourceVersion, keeping a {@link Store} that
 * mirrors the server and calling handlers with what changed (client-go reflector semantics):
 * - resourceVersions are compared only for equality (same RV ⇒ no change), never ordered;
 * - bookmarks are requested and advance the watch position;
 * - a 410 Gone (expired resourceVersion) triggers a relist, and objects missing from the new list
 *   are reported as deletes with their last known state;
 * - any other error re-watches (or relists) after exponential backoff, forever, logged and counted;
 *   the informer stops only when asked.
 */
import type { Logger } from "pino";
import { Counter, type Registry } from "prom-client";
import { keyOf } from "../reconciler.js";
import { Store, type IndexFunc } from "./store.js";
import {
  GoneError,
  type InformerHandler,
  type ListWatcher,
  type MetaObject,
  type WatchEvent,
} from "./types.js";

/** Informer settings. */
export interface InformerOptions<T extends MetaObject> {
  /** Name in logs and metrics, e.g. `gitrepositories.source.toolkit.fluxcd.io`. */
  readonly name: string;
  readonly source: ListWatcher<T>;
  readonly indexers?: Readonly<Record<string, IndexFunc<T>>>;
  readonly log?: Logger;
  readonly registry?: Registry;
  /**
   * What the store keeps of each object (client-go's transform), e.g. only what a cache needs, to
   * save memory; handlers still get the object as the server sent it (the old object of an update,
   * and a delete inferred from a relist, come from the store).
   */
  readonly transform?: (obj: T) => T;
  /** Told of every list/watch failure (already logged and counted); the informer keeps retrying. */
  readonly onError?: (err: unknown) => void;
  /** Reconnect backoff: first delay (default 800 ms, client-go's) and cap (default 30 s). */
  readonly backoffMs?: { readonly initial: number; readonly max: number };
}

/** Counters of the informer's life, for tests and `/metrics`. */
export interface InformerStats {
  lists: number;
  watches: number;
  watchErrors: number;
  listErrors: number;
  gone: number;
}

/** A watch that ends sooner than this without events counts as a failed attempt. */
const QUICK_CLOSE_MS = 1000;

const counters = new WeakMap<Registry, Counter<"informer" | "kind">>();

function errorCounter(registry: Registry | undefined): Counter<"informer" | "kind"> | undefined {
  if (registry === undefined) return undefined;
  let c = counters.get(registry);
  if (c === undefined) {
    c = new Counter({
      name: "mooring_informer_errors_total",
      help: "List/watch errors and expirations seen by informers (each followed by a reconnect or relist)",
      labelNames: ["informer", "kind"],
      registers: [registry],
    });
    counters.set(registry, c);
  }
  return c;
}

/** Lists and watches one resource into a store. */
export class Informer<T extends MetaObject> {
  readonly store: Store<T>;
  readonly stats: InformerStats = { lists: 0, watches: 0, watchErrors: 0, listErrors: 0, gone: 0 };
  private readonly handlers: InformerHandler<T>[] = [];
  private readonly stopController = new AbortController();
  private readonly syncWaiters: (() => void)[] = [];
  private readonly errors: Counter<"informer" | "kind"> | undefined;
  private synced = false;
  private fresh = false;
  private running: Promise<void> | undefined;
  private resourceVersion = "";
  private delayMs: number;

  constructor(private readonly options: InformerOptions<T>) {
    this.store = new Store<T>(options.indexers);
    this.errors = errorCounter(options.registry);
    this.delayMs = this.backoff.initial;
  }

  /** Adds a handler; objects already cached are replayed to it as adds. */
  addHandler(handler: InformerHandler<T>): void {
    this.handlers.push(handler);
    for (const obj of this.store.list()) this.call(() => handler.onAdd?.(obj));
  }

  /** Starts listing and watching in the background. */
  start(): void {
    this.running ??= this.run();
  }

  /** Stops and waits for the loop to end. */
  async stop(): Promise<void> {
    this.stopController.abort();
    await this.running;
  }

  /** True once the first list has been stored. */
  hasSynced(): boolean {
    return this.synced;
  }

  /**
   * True while the store is known to hold every change: from a list until the next list or watch
   * failure (events missed while disconnected arrive when the watch resumes). A cache that lets
   * work be skipped asks this, not {@link hasSynced}.
   */
  isCurrent(): boolean {
    return this.fresh;
  }

  /** Resolves when synced (or rejects when `signal` aborts first). */
  waitForSync(signal?: AbortSignal): Promise<void> {
    if (this.synced) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.syncWaiters.push(resolve);
      signal?.addEventListener("abort", () => reject(new Error(`informer ${this.options.name} not synced`)), {
        once: true,
      });
    });
  }

  private get backoff(): { initial: number; max: number } {
    return this.options.backoffMs ?? { initial: 800, max: 30_000 };
  }

  private get signal(): AbortSignal {
    return this.stopController.signal;
  }

  private async run(): Promise<void> {
    while (!this.signal.aborted) {
      try {
        await this.relist();
      } catch (err) {
        this.failed("list", err);
        await this.sleep();
        continue;
      }
      await this.watchUntilGone();
    }
  }

  /** Watches from the current resourceVersion until a 410 asks for a relist (or stop). */
  private async watchUntilGone(): Promise<void> {
    while (!this.signal.aborted) {
      try {
        const opened = Date.now();
        const events = await this.watchOnce();
        // An idle stream the server or transport closed after a while is normal: resume at once.
        // Only a stream that closed straight away without news backs off, so we never spin.
        if (events > 0 || Date.now() - opened >= QUICK_CLOSE_MS) this.delayMs = this.backoff.initial;
        else await this.sleep();
      } catch (err) {
        if (err instanceof GoneError) {
          this.fresh = false;
          this.stats.gone++;
          this.errors?.inc({ informer: this.options.name, kind: "gone" });
          this.options.log?.info({ informer: this.options.name }, "watch expired (410), relisting");
          return;
        }
        this.failed("watch", err);
        await this.sleep();
      }
    }
  }

  /**
   * One watch connection. An ERROR event ends it from inside (a throw in the event callback would
   * be swallowed by the transport), then is rethrown here. Returns the number of events seen.
   */
  private async watchOnce(): Promise<number> {
    const local = new AbortController();
    const signal = AbortSignal.any([this.signal, local.signal]);
    let events = 0;
    let failure: Error | undefined;
    this.stats.watches++;
    await this.options.source.watch(
      this.resourceVersion,
      (event) => {
        if (failure !== undefined) return;
        events++;
        failure = this.onEvent(event);
        // The stream resumed from our resourceVersion: what was missed meanwhile arrives in order.
        if (failure === undefined) this.fresh = true;
        if (failure !== undefined) local.abort();
      },
      signal,
    );
    if (failure !== undefined) throw failure;
    return events;
  }

  private failed(what: "list" | "watch", err: unknown): void {
    if (this.signal.aborted) return;
    this.fresh = false;
    if (what === "list") this.stats.listErrors++;
    else this.stats.watchErrors++;
    this.errors?.inc({ informer: this.options.name, kind: what });
    this.call(() => this.options.onError?.(err));
    this.options.log?.warn(
      { informer: this.options.name, error: err, retryInMs: this.delayMs },
      `${what} failed, retrying`,
    );
  }

  private async sleep(): Promise<void> {
    if (this.signal.aborted) return;
    const ms = this.delayMs;
    this.delayMs = Math.min(this.delayMs * 2, this.backoff.max);
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, ms);
      this.signal.addEventListener("abort", () => (clearTimeout(t), resolve()), { once: true });
    });
  }

  /** Lists and replaces the store, reporting adds, changes and synthetic deletes. */
  private async relist(): Promise<void> {
    const list = await this.options.source.list(this.signal);
    this.stats.lists++;
    const seen = new Set<string>();
    for (const obj of list.items) {
      seen.add(keyOf(obj));
      this.upsert(obj);
    }
    for (const key of this.store.keys()) {
      if (seen.has(key)) continue;
      const old = this.store.delete(key);
      if (old !== undefined) this.emitDelete(old, true);
    }
    this.resourceVersion = list.resourceVersion;
    this.delayMs = this.backoff.initial;
    this.fresh = true;
    if (!this.synced) {
      this.synced = true;
      this.syncWaiters.splice(0).forEach((w) => w());
    }
  }

  /** Applies one watch event; returns the error an ERROR event stands for. */
  private onEvent(event: WatchEvent<T>): Error | undefined {
    switch (event.type) {
      case "BOOKMARK":
        this.resourceVersion = event.resourceVersion || this.resourceVersion;
        return undefined;
      case "ERROR":
        if (event.code === 410) return new GoneError(event.message);
        return new Error(`watch error ${event.code} ${event.reason}: ${event.message}`);
      case "DELETED": {
        const old = this.store.delete(keyOf(event.object));
        this.emitDelete(old ?? event.object, false);
        break;
      }
      default:
        this.upsert(event.object);
    }
    this.resourceVersion = event.object.metadata?.resourceVersion ?? this.resourceVersion;
    return undefined;
  }

  private upsert(obj: T): void {
    const old = this.store.get(keyOf(obj));
    if (old !== undefined && old.metadata?.resourceVersion === obj.metadata?.resourceVersion) return;
    this.store.set(this.options.transform ? this.options.transform(obj) : obj);
    for (const h of this.handlers) {
      this.call(() => (old === undefined ? h.onAdd?.(obj) : h.onUpdate?.(old, obj)));
    }
  }

  private emitDelete(obj: T, finalStateUnknown: boolean): void {
    for (const h of this.handlers) this.call(() => h.onDelete?.(obj, { finalStateUnknown }));
  }

  private call(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.options.log?.error({ informer: this.options.name, error: err }, "informer handler threw");
    }
  }
}
