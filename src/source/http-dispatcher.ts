/**
 * Connection pools of the project's one HTTP client (undici) for the source controllers: one
 * pool per distinct TLS and proxy setting, shared by every request with those settings, so
 * connections stay alive across reconciles (a no-op poll of a registry or Git server reuses its
 * TLS session instead of paying a handshake). Git (git-http.ts) and OCI (oci/registry-client.ts)
 * both take their dispatcher from here.
 */
import { createHash } from "node:crypto";
import { Agent, type Dispatcher, ProxyAgent } from "undici";

/** An HTTP(S) (or SOCKS5) proxy and its credentials (`spec.proxySecretRef`). */
export interface HttpProxy {
  /** Proxy URL without credentials. */
  readonly url: string;
  readonly username?: string;
  readonly password?: string;
}

/** TLS and proxy settings of a pool. */
export interface DispatcherOptions {
  /** PEM CA bundle to trust instead of the system roots. */
  readonly ca?: string;
  /** PEM client certificate and key for mutual TLS. */
  readonly cert?: string;
  readonly key?: string;
  /** Send every request through this proxy. */
  readonly proxy?: HttpProxy;
  /** Accept any server certificate (OCIRepository `insecure` without `certSecretRef`, as Flux). */
  readonly skipVerify?: boolean;
}

const dispatchers = new Map<string, Dispatcher>();
/** Distinct TLS/proxy settings kept with open connections; the oldest is closed beyond this. */
const MAX_DISPATCHERS = 32;

function tlsOf(opts: DispatcherOptions): Record<string, string | boolean> {
  return {
    ...(opts.ca ? { ca: opts.ca } : {}),
    ...(opts.cert && opts.key ? { cert: opts.cert, key: opts.key } : {}),
    ...(opts.skipVerify === true ? { rejectUnauthorized: false } : {}),
  };
}

function proxyAgent(proxy: HttpProxy, requestTls: Record<string, string | boolean>): ProxyAgent {
  const basic =
    proxy.username === undefined
      ? undefined
      : `Basic ${Buffer.from(`${proxy.username}:${proxy.password ?? ""}`).toString("base64")}`;
  return new ProxyAgent({ uri: proxy.url, requestTls, ...(basic === undefined ? {} : { token: basic }) });
}

/**
 * The pool for these settings; undefined means undici's global one (no TLS material, no proxy).
 * Keyed by a hash of the settings, so key material is never kept as a map key in clear.
 */
export function dispatcherFor(opts: DispatcherOptions): Dispatcher | undefined {
  const tls = tlsOf(opts);
  if (opts.proxy === undefined && Object.keys(tls).length === 0) return undefined;
  const id = createHash("sha256")
    .update(JSON.stringify([tls, opts.proxy ?? null]))
    .digest("hex");
  let d = dispatchers.get(id);
  if (d === undefined) {
    d = opts.proxy === undefined ? new Agent({ connect: tls }) : proxyAgent(opts.proxy, tls);
    dispatchers.set(id, d);
    if (dispatchers.size > MAX_DISPATCHERS) {
      const [oldest, old] = dispatchers.entries().next().value as [string, Dispatcher];
      dispatchers.delete(oldest);
      void old.close().catch(() => undefined);
    }
  }
  return d;
}
