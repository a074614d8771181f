/**
 * One kept-alive connection pool per KubeConfig, for every request the controller sends itself.
 *
 * client-node's `applySecurityAuthentication` builds a new undici Agent (with its own TLS context)
 * for every request, and its fetch-based HTTP library wraps each call in Request, Headers and
 * stream objects; under load that was most of the controller's CPU and a TLS handshake per request.
 * Here the dispatcher is built once and rebuilt only when the TLS material in the kubeconfig
 * changes (a rotated CA or client certificate file), while the credential headers are computed per
 * request, so rotating tokens (service-account token files, exec plugins) keep working.
 */
import type { RequestOptions as HttpsRequestOptions } from "node:https";
import { Agent, ProxyAgent, request, type Dispatcher } from "undici";
import type { KubeConfig } from "./kubeconfig/index.js";
import { PerResourceRateLimiter, type RateLimit } from "./rate-limiter.js";

/** One request, already addressed. */
export interface TransportRequest {
  readonly method: string;
  readonly path: string;
  readonly query?: Readonly<Record<string, string | number | boolean | undefined>>;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly signal?: AbortSignal | undefined;
}

/** The answer: status code and a body to read once, as text or as a stream of chunks. */
export interface TransportResponse {
  readonly statusCode: number;
  readonly headers: Dispatcher.ResponseData["headers"];
  readonly body: Dispatcher.ResponseData["body"];
}

/** The connection pool and the TLS material it was built from, to notice rotation. */
interface Pool {
  readonly material: string;
  /** undefined: plain connections through undici's global dispatcher. */
  readonly ready: Promise<Dispatcher | undefined>;
}

/** The TLS options of a connection pool. */
interface TlsOptions {
  ca?: HttpsRequestOptions["ca"];
  cert?: HttpsRequestOptions["cert"];
  key?: HttpsRequestOptions["key"];
  rejectUnauthorized?: boolean;
  servername?: string;
}

/** A comparable form of a PEM option (a string, a Buffer, or a list of them). */
function pemKey(pem: unknown): string {
  if (pem === undefined) return "";
  return typeof pem === "string" ? pem : Buffer.isBuffer(pem) ? pem.toString("base64") : JSON.stringify(pem);
}

/** Sends requests with a KubeConfig's credentials over one connection pool. */
export class KubeTransport {
  private pool: Pool | undefined;
  /** Every request (impersonated ones included) takes a token of its resource first; none when unset. */
  limiter: PerResourceRateLimiter | undefined;

  constructor(private readonly kc: KubeConfig) {}

  async send(req: TransportRequest): Promise<TransportResponse> {
    await this.limiter?.take(req.path, req.signal ?? undefined);
    const { headers, material, tls } = await this.credentials();
    const dispatcher = await this.dispatcherFor(material, tls);
    const response = await request(this.url(req), {
      method: req.method,
      headers: { ...headers, ...req.headers },
      ...(req.body === undefined ? {} : { body: req.body }),
      ...(req.signal ? { signal: req.signal } : {}),
      ...(dispatcher ? { dispatcher } : {}),
    });
    return { statusCode: response.statusCode, headers: response.headers, body: response.body };
  }

  /**
   * Closes the connections and abandons what is still in flight. Waiting would mean waiting for
   * open watches (5–10 min): informers of another user of the same KubeConfig, or ones not yet
   * stopped, would hold the close up to their server-side timeout. An abandoned watch's informer
   * reconnects through a new pool.
   */
  async close(): Promise<void> {
    const pool = this.pool;
    this.pool = undefined;
    await (await pool?.ready.catch(() => undefined))?.destroy();
  }

  private url(req: TransportRequest): string {
    const cluster = this.kc.getCurrentCluster();
    if (!cluster) throw new Error("kubeconfig has no current cluster");
    const url = new URL(cluster.server.replace(/\/$/, "") + req.path);
    for (const [k, v] of Object.entries(req.query ?? {}))
      if (v !== undefined) url.searchParams.set(k, String(v));
    return url.toString();
  }

  /** Authorization headers for this request, and a key of the TLS material to connect with. */
  private async credentials(): Promise<{
    headers: Record<string, string>;
    material: string;
    tls: TlsOptions;
  }> {
    const opts: HttpsRequestOptions = {};
    await this.kc.applyToHTTPSOptions(opts);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(opts.headers ?? {})) if (v !== undefined) headers[k] = String(v);
    if (opts.auth) headers.Authorization = `Basic ${Buffer.from(opts.auth).toString("base64")}`;
    const tls: TlsOptions = {};
    if (opts.ca !== undefined) tls.ca = opts.ca;
    if (opts.cert !== undefined) tls.cert = opts.cert;
    if (opts.key !== undefined) tls.key = opts.key;
    if (opts.rejectUnauthorized !== undefined) tls.rejectUnauthorized = opts.rejectUnauthorized;
    if (opts.servername !== undefined) tls.servername = opts.servername;
    const material = JSON.stringify([
      pemKey(tls.ca),
      pemKey(tls.cert),
      pemKey(tls.key),
      tls.rejectUnauthorized,
      tls.servername,
    ]);
    return { headers, material, tls };
  }

  private dispatcherFor(material: string, tls: TlsOptions): Promise<Dispatcher | undefined> {
    if (this.pool?.material === material) return this.pool.ready;
    const old = this.pool;
    const ready = this.buildDispatcher(tls);
    this.pool = { material, ready };
    ready.catch(() => {
      if (this.pool?.ready === ready) this.pool = undefined;
    });
    // In-flight requests on the old pool finish; new ones connect with the new TLS material.
    void old?.ready.then((d) => d?.close()).catch(() => undefined);
    return ready;
  }

  /**
   * The pool for `tls`, once per TLS material: through the cluster's HTTP(S) proxy when it names
   * one; plain undici's global dispatcher when there is nothing to configure. TCP keep-alive probes
   * start after 30 s, as client-go's do (a cloud load balancer's idle timeout is often 60 s).
   */
  private buildDispatcher(tls: TlsOptions): Promise<Dispatcher | undefined> {
    const proxyUrl = this.kc.getCurrentCluster()?.proxyUrl;
    const keepAlive = { keepAlive: true, keepAliveInitialDelay: 30_000 };
    if (proxyUrl) {
      if (!/^https?:\/\//.test(proxyUrl))
        return Promise.reject(new Error("kubeconfig proxy-url: only http and https proxies are supported"));
      return Promise.resolve(new ProxyAgent({ uri: proxyUrl, requestTls: tls, connect: keepAlive }));
    }
    if (Object.keys(tls).length === 0) return Promise.resolve(undefined);
    return Promise.resolve(new Agent({ connect: { ...tls, ...keepAlive } }));
  }
}

const transports = new WeakMap<KubeConfig, KubeTransport>();

/** The shared transport of `kc`. */
export function kubeTransport(kc: KubeConfig): KubeTransport {
  let t = transports.get(kc);
  if (t === undefined) {
    t = new KubeTransport(kc);
    transports.set(kc, t);
  }
  return t;
}

/**
 * Rate-limits every request sent with `kc` (`--kube-api-qps`, `--kube-api-burst`, per API
 * resource as client-go's per-client buckets do in Flux); `onWait` hears
 * each request's wait for a token in seconds (client-go's `rest_client_rate_limiter_duration_seconds`).
 */
export function limitKubeRequests(
  kc: KubeConfig,
  limit: RateLimit,
  onWait?: (seconds: number) => void,
): void {
  kubeTransport(kc).limiter = new PerResourceRateLimiter(limit, onWait);
}

/** Closes `kc`'s kept-alive connections; a later request opens new ones. */
export async function closeKubeTransport(kc: KubeConfig): Promise<void> {
  const t = transports.get(kc);
  transports.delete(kc);
  await t?.close();
}
