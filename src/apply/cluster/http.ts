/**
 * A thin JSON client over @kubernetes/client-node's KubeConfig and HTTP library.
 *
 * The generated typed clients cannot send an apply patch with `dryRun`, `force` and an
 * `Impersonate-User` header for arbitrary kinds, and hide the request count; this client does
 * exactly the requests the apply layer needs, each one reported to an observer, with the
 * KubeConfig's own TLS and credentials.
 */
import {
  HttpMethod,
  IsomorphicFetchHttpLibrary,
  RequestContext,
  type KubeConfig,
} from "@kubernetes/client-node";
import { KubeApiError, type KubeStatus } from "./errors.js";
import type { RequestInfo } from "./types.js";

/** One request. `verb` is what the observer sees (e.g. `apply` for an apply patch). */
export interface KubeRequest {
  readonly verb: RequestInfo["verb"];
  readonly method: HttpMethod;
  readonly path: string;
  readonly query?: Readonly<Record<string, string | undefined>>;
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

const library = new IsomorphicFetchHttpLibrary();

function parseStatus(text: string): KubeStatus {
  try {
    const parsed = JSON.parse(text) as unknown;
    return typeof parsed === "object" && parsed !== null ? parsed : { message: text };
  } catch {
    return { message: text.slice(0, 500) };
  }
}

type Dispatcher = NonNullable<ReturnType<RequestContext["getDispatcher"]>>;

/**
 * The connection pool shared by a client and its impersonating copies. KubeConfig builds a new
 * undici Agent for every request (a TLS handshake each time, and sockets left to the GC); one
 * Agent per KubeConfig keeps connections alive, which makes requests several times cheaper.
 */
interface Shared {
  dispatcher?: Dispatcher;
}

/** JSON requests and watch streams against one API server, optionally impersonating a user. */
export class KubeHttp {
  constructor(
    private readonly kubeConfig: KubeConfig,
    private readonly onRequest: (info: RequestInfo) => void = () => undefined,
    readonly impersonate?: string,
    private readonly shared: Shared = {},
  ) {}

  /** The same connection, impersonating `user` (undefined: the controller itself). */
  as(user: string | undefined): KubeHttp {
    return user === this.impersonate
      ? this
      : new KubeHttp(this.kubeConfig, this.onRequest, user, this.shared);
  }

  /** Closes the kept-alive connections. */
  async close(): Promise<void> {
    const d = this.shared.dispatcher;
    delete this.shared.dispatcher;
    await d?.close();
  }

  private url(req: KubeRequest): string {
    const cluster = this.kubeConfig.getCurrentCluster();
    if (!cluster) throw new Error("kubeconfig has no current cluster");
    const url = new URL(cluster.server.replace(/\/$/, "") + req.path);
    for (const [k, v] of Object.entries(req.query ?? {})) if (v !== undefined) url.searchParams.set(k, v);
    return url.toString();
  }

  /** Credentials in headers are refreshed per request; the TLS connection pool is reused. */
  private async authenticate(ctx: RequestContext): Promise<void> {
    await this.kubeConfig.applySecurityAuthentication(ctx);
    const fresh = ctx.getDispatcher();
    if (fresh === undefined) return;
    this.shared.dispatcher ??= fresh;
    if (fresh === this.shared.dispatcher) return;
    ctx.setDispatcher(this.shared.dispatcher);
    void fresh.close();
  }

  private async context(req: KubeRequest): Promise<RequestContext> {
    const ctx = new RequestContext(this.url(req), req.method);
    await this.authenticate(ctx);
    ctx.setHeaderParam("Accept", "application/json");
    if (this.impersonate !== undefined) ctx.setHeaderParam("Impersonate-User", this.impersonate);
    if (req.body !== undefined) {
      ctx.setHeaderParam("Content-Type", req.contentType ?? "application/json");
      ctx.setBody(JSON.stringify(req.body));
    }
    if (req.signal) ctx.setSignal(req.signal);
    const info = { verb: req.verb, path: req.path, dryRun: req.query?.dryRun === "All" };
    this.onRequest({ ...info, impersonate: this.impersonate });
    return ctx;
  }

  /** Sends a request and returns the parsed JSON body; throws {@link KubeApiError} on >= 400. */
  async request<T>(req: KubeRequest): Promise<T> {
    const response = await library.send(await this.context(req)).toPromise();
    const text = await response.body.text();
    if (response.httpStatusCode >= 400) {
      throw new KubeApiError(response.httpStatusCode, parseStatus(text), `${req.method} ${req.path}`);
    }
    return (text === "" ? {} : JSON.parse(text)) as T;
  }

  /** Opens a streaming request (watch); yields one parsed JSON value per line. */
  async *stream<T>(req: KubeRequest): AsyncGenerator<T> {
    const response = await library.send(await this.context(req)).toPromise();
    if (response.httpStatusCode >= 400) {
      const text = await response.body.text();
      throw new KubeApiError(response.httpStatusCode, parseStatus(text), `${req.method} ${req.path}`);
    }
    const body = response.body.stream();
    if (body === null) return;
    const decoder = new TextDecoder();
    let buffered = "";
    for await (const chunk of body) {
      buffered += decoder.decode(chunk, { stream: true });
      let newline = buffered.indexOf("\n");
      while (newline !== -1) {
        const line = buffered.slice(0, newline).trim();
        buffered = buffered.slice(newline + 1);
        if (line !== "") yield JSON.parse(line) as T;
        newline = buffered.indexOf("\n");
      }
    }
  }
}

export { HttpMethod };
