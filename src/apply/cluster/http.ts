/**
 * A thin JSON client over the KubeConfig's shared transport (runtime/kube-transport).
 *
 * The generated typed clients cannot send an apply patch with `dryRun`, `force` and an
 * `Impersonate-User` header for arbitrary kinds, and hide the request count; this client does
 * exactly the requests the apply layer needs, each one reported to an observer, with the
 * KubeConfig's own TLS and credentials.
 */
import type { KubeConfig } from "../../runtime/kubeconfig/index.js";
import { closeKubeTransport } from "../../runtime/kube-transport.js";
import { kubeRequest, kubeStream, type KubeRequestOptions } from "../../runtime/kube-request.js";
import {
  pagedListWatcher,
  type ListWatchQuery,
  type ListWatchSelectors,
} from "../../runtime/informer/api-list-watcher.js";
import type { ListWatcher, MetaObject } from "../../runtime/informer/types.js";
import type { RequestInfo } from "./types.js";

/** The methods the apply layer sends. */
export const HttpMethod = {
  GET: "GET",
  POST: "POST",
  PATCH: "PATCH",
  DELETE: "DELETE",
} as const satisfies Record<string, NonNullable<KubeRequestOptions["method"]>>;
export type HttpMethod = (typeof HttpMethod)[keyof typeof HttpMethod];

/** One request. `verb` is what the observer sees (e.g. `apply` for an apply patch). */
export interface KubeRequest {
  readonly verb: RequestInfo["verb"];
  readonly method: HttpMethod;
  readonly path: string;
  readonly query?: ListWatchQuery;
  readonly body?: unknown;
  readonly contentType?: string;
  readonly signal?: AbortSignal | undefined;
}

/** Content types of the patches the apply layer sends. */
export const ContentType = {
  apply: "application/apply-patch+yaml",
  jsonPatch: "application/json-patch+json",
  mergePatch: "application/merge-patch+json",
} as const;

/** JSON requests and watch streams against one API server, optionally impersonating a user. */
export class KubeHttp {
  constructor(
    private readonly kubeConfig: KubeConfig,
    private readonly onRequest: (info: RequestInfo) => void = () => undefined,
    readonly impersonate?: string,
  ) {}

  /** The same connection, impersonating `user` (undefined: the controller itself). */
  as(user: string | undefined): KubeHttp {
    return user === this.impersonate ? this : new KubeHttp(this.kubeConfig, this.onRequest, user);
  }

  /** Closes the KubeConfig's kept-alive connections; a later request opens new ones. */
  close(): Promise<void> {
    return closeKubeTransport(this.kubeConfig);
  }

  /** The one client's options for `req`: impersonation, content type, observer. */
  private options(req: KubeRequest): KubeRequestOptions {
    this.onRequest({
      verb: req.verb,
      path: req.path,
      dryRun: req.query?.dryRun === "All",
      impersonate: this.impersonate,
    });
    return {
      method: req.method,
      ...(req.query ? { query: req.query } : {}),
      ...(req.body === undefined
        ? {}
        : { body: req.body, contentType: req.contentType ?? "application/json" }),
      ...(this.impersonate === undefined ? {} : { headers: { "Impersonate-User": this.impersonate } }),
      what: `${req.method} ${req.path}`,
      signal: req.signal,
    };
  }

  /** Sends a request and returns the parsed JSON body; throws KubeApiError on >= 400. */
  async request<T>(req: KubeRequest): Promise<T> {
    return ((await kubeRequest<T | undefined>(this.kubeConfig, req.path, this.options(req))) ?? {}) as T;
  }

  /** A list/watch source for the collection at `path`, through this client (observed, impersonating). */
  listWatcher<T extends MetaObject>(path: string, selectors: ListWatchSelectors): ListWatcher<T> {
    const io = {
      list: <L>(query: ListWatchQuery, signal: AbortSignal): Promise<L> =>
        this.request<L>({ verb: "list", method: HttpMethod.GET, path, query, signal }),
      watch: <E>(query: ListWatchQuery, signal: AbortSignal): AsyncIterable<E> =>
        this.stream<E>({ verb: "watch", method: HttpMethod.GET, path, query, signal }),
    };
    return pagedListWatcher<T>(io, selectors);
  }

  /** Opens a streaming request (watch); yields one parsed JSON value per line. */
  async *stream<T>(req: KubeRequest): AsyncGenerator<T> {
    yield* kubeStream<T>(this.kubeConfig, req.path, this.options(req));
  }
}
