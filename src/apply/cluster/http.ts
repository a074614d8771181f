/**
 * A thin JSON client over the KubeConfig's shared transport (runtime/kube-transport).
 *
 * The generated typed clients cannot send an apply patch with `dryRun`, `force` and an
 * `Impersonate-User` header for arbitrary kinds, and hide the request count; this client does
 * exactly the requests the apply layer needs, each one reported to an observer, with the
 * KubeConfig's own TLS and credentials.
 */
import { HttpMethod, type KubeConfig } from "@kubernetes/client-node";
import { closeKubeTransport, kubeTransport, type TransportResponse } from "../../runtime/kube-transport.js";
import { jsonLines, readJson } from "../../runtime/kube-request.js";
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

  private send(req: KubeRequest): Promise<TransportResponse> {
    const headers: Record<string, string> = { Accept: "application/json" };
    if (this.impersonate !== undefined) headers["Impersonate-User"] = this.impersonate;
    if (req.body !== undefined) headers["Content-Type"] = req.contentType ?? "application/json";
    const info = { verb: req.verb, path: req.path, dryRun: req.query?.dryRun === "All" };
    this.onRequest({ ...info, impersonate: this.impersonate });
    return kubeTransport(this.kubeConfig).send({
      method: req.method,
      path: req.path,
      ...(req.query ? { query: req.query } : {}),
      headers,
      ...(req.body === undefined ? {} : { body: JSON.stringify(req.body) }),
      signal: req.signal,
    });
  }

  /** Sends a request and returns the parsed JSON body; throws KubeApiError on >= 400. */
  async request<T>(req: KubeRequest): Promise<T> {
    return ((await readJson<T>(await this.send(req), `${req.method} ${req.path}`)) ?? {}) as T;
  }

  /** Opens a streaming request (watch); yields one parsed JSON value per line. */
  async *stream<T>(req: KubeRequest): AsyncGenerator<T> {
    yield* jsonLines<T>(await this.send(req), `${req.method} ${req.path}`);
  }
}

export { HttpMethod };
