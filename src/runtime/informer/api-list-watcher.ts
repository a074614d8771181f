/**
 * The {@link ListWatcher} over the real API server: paginated LIST and a WATCH with bookmarks,
 * both by REST path and with label/field selectors (sharding uses label selectors, Flux's
 * `--watch-label-selector`). Every informer, the controllers' and the apply layer's (owned
 * objects, health waits), lists and watches through {@link pagedListWatcher}.
 */
import type { KubeConfig } from "../kubeconfig/index.js";
import { KubeApiError, kubeRequest, kubeStream, resourcePath, type ResourceRef } from "../kube-request.js";
import type { Semaphore } from "../semaphore.js";
import { GoneError, type ListResult, type ListWatcher, type MetaObject, type WatchEvent } from "./types.js";

/** Query parameters of a LIST page or a WATCH. */
export type ListWatchQuery = Readonly<Record<string, string | number | boolean | undefined>>;

/** The two requests a list/watch needs, over one client (which may observe or impersonate). */
export interface ListWatchIO {
  /** One LIST page. */
  list<L>(query: ListWatchQuery, signal: AbortSignal): Promise<L>;
  /** A WATCH stream: one parsed JSON value per line. */
  watch<E>(query: ListWatchQuery, signal: AbortSignal): AsyncIterable<E>;
}

/** Selectors and paging. */
export interface ListWatchSelectors {
  readonly labelSelector?: string | undefined;
  readonly fieldSelector?: string | undefined;
  /** LIST page size (default 500, client-go's). */
  readonly pageSize?: number;
}

/** What to list and watch on the cluster of a KubeConfig. */
export interface ApiListWatcherOptions extends ListWatchSelectors {
  /** The collection (no `name`); `namespace` omitted for all namespaces. */
  readonly resource: ResourceRef;
  /** Caps concurrent LIST requests (watches are not capped: they stay open). */
  readonly limiter?: Semaphore;
}

interface ListBody<T> {
  readonly kind?: string;
  readonly apiVersion?: string;
  readonly items?: T[];
  readonly metadata?: { readonly resourceVersion?: string; readonly continue?: string };
}

interface RawWatchObject {
  readonly metadata?: { readonly resourceVersion?: string };
  readonly code?: number;
  readonly reason?: string;
  readonly message?: string;
}

/** A list/watch source for one resource on the cluster of `kc`, as the controller itself. */
export function apiListWatcher<T extends MetaObject>(
  kc: KubeConfig,
  options: ApiListWatcherOptions,
): ListWatcher<T> {
  const path = resourcePath(options.resource);
  const io: ListWatchIO = {
    list: (query, signal) => kubeRequest(kc, path, { query, signal, limiter: options.limiter }),
    watch: (query, signal) => kubeStream(kc, path, { query, signal }),
  };
  return pagedListWatcher<T>(io, options);
}

/**
 * Paginated LIST (items get the list's apiVersion and kind, which the server leaves out) and a
 * WATCH that resolves when the server closes the stream (its timeout) or `signal` aborts; a 410
 * rejects with {@link GoneError}.
 */
export function pagedListWatcher<T extends MetaObject>(
  io: ListWatchIO,
  options: ListWatchSelectors,
): ListWatcher<T> {
  const selectors = { labelSelector: options.labelSelector, fieldSelector: options.fieldSelector };
  return {
    async list(signal): Promise<ListResult<T>> {
      const items: T[] = [];
      let next: string | undefined;
      let resourceVersion = "";
      do {
        const query = { ...selectors, limit: options.pageSize ?? 500, continue: next };
        const page = await io.list<ListBody<T>>(query, signal);
        const kind = page.kind?.replace(/List$/, "");
        for (const item of page.items ?? []) items.push({ apiVersion: page.apiVersion, kind, ...item });
        resourceVersion = page.metadata?.resourceVersion ?? resourceVersion;
        next = page.metadata?.continue || undefined;
      } while (next !== undefined);
      return { items, resourceVersion };
    },
    watch: (resourceVersion, onEvent, signal) =>
      watchStream(io, { ...selectors, resourceVersion }, onEvent, signal),
  };
}

const OBJECT_PHASES = new Set(["ADDED", "MODIFIED", "DELETED"]);

function toEvent<T>(phase: string, obj: unknown): WatchEvent<T> | undefined {
  const raw = obj as RawWatchObject;
  if (OBJECT_PHASES.has(phase)) return { type: phase as "ADDED", object: obj as T };
  if (phase === "BOOKMARK") return { type: "BOOKMARK", resourceVersion: raw.metadata?.resourceVersion ?? "" };
  if (phase === "ERROR") return statusEvent(raw);
  return undefined;
}

function statusEvent(raw: RawWatchObject): WatchEvent<never> {
  return { type: "ERROR", code: raw.code ?? 0, reason: raw.reason ?? "", message: raw.message ?? "" };
}

async function watchStream<T>(
  io: ListWatchIO,
  query: ListWatchQuery,
  onEvent: (event: WatchEvent<T>) => void,
  signal: AbortSignal,
): Promise<void> {
  const params = {
    ...query,
    watch: true,
    allowWatchBookmarks: true,
    // client-go picks 5–10 min so watches of many informers do not reconnect together.
    timeoutSeconds: 300 + Math.floor(Math.random() * 300),
  };
  try {
    for await (const line of io.watch<{ type: string; object: unknown }>(params, signal)) {
      const event = toEvent<T>(line.type, line.object);
      if (event !== undefined && !signal.aborted) onEvent(event);
    }
  } catch (err) {
    // An idle stream that outlived the client's body timeout ends like a server-closed one.
    if (signal.aborted || (err as { code?: unknown }).code === "UND_ERR_BODY_TIMEOUT") return;
    if (err instanceof KubeApiError && err.statusCode === 410)
      throw new GoneError("watch resourceVersion expired");
    throw err;
  }
}
