/**
 * The HTTP transport handed to isomorphic-git, on undici (the project's one HTTP client).
 *
 * isomorphic-git's bundled Node client cannot take a custom CA, cannot bound how much a server
 * sends, cannot go through a proxy and buffers responses its own way; this one trusts `ca.crt`
 * from a Secret, presents a client certificate, goes through `spec.proxySecretRef`'s proxy
 * (undici's ProxyAgent: plain forwarding for http://, CONNECT for https://, `Proxy-Authorization`
 * from the Secret's username and password), aborts on the reconcile's signal and refuses a pack
 * larger than the configured limit before it is held in memory.
 */
import { STATUS_CODES } from "node:http";
import type { GitHttpRequest, GitHttpResponse, HttpClient } from "isomorphic-git";
import { type Dispatcher, request } from "undici";
import { dispatcherFor, type HttpProxy } from "./http-dispatcher.js";

/** An HTTP(S) (or SOCKS5) proxy and its credentials (GitRepository `spec.proxySecretRef`). */
export type GitProxy = HttpProxy;

/** Options of {@link createGitHttpClient}. */
export interface GitHttpOptions {
  /** PEM CA bundle to trust instead of the system roots (Secret key `ca.crt`). */
  readonly ca?: string;
  /** PEM client certificate and key for mutual TLS (Secret keys `tls.crt`, `tls.key`). */
  readonly cert?: string;
  readonly key?: string;
  /** Send every request through this proxy. */
  readonly proxy?: GitProxy;
  /** Aborts every request in flight. */
  readonly signal?: AbortSignal;
  /** Largest response body accepted from a `git-upload-pack` POST, in bytes. */
  readonly maxPackBytes?: number;
}

/** The server sent more than {@link GitHttpOptions.maxPackBytes}. */
export class PackTooLargeError extends Error {
  override readonly name = "PackTooLargeError";
  constructor(readonly limit: number) {
    super(`the repository's pack exceeds the maximum size of ${limit} bytes`);
  }
}

type ResponseBody = Dispatcher.ResponseData["body"];

async function* bodyOf(body: ResponseBody, limit: number | undefined): AsyncGenerator<Uint8Array> {
  let total = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (limit !== undefined && total > limit) {
      body.destroy();
      throw new PackTooLargeError(limit);
    }
    yield new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  }
}

async function collectBody(body: GitHttpRequest["body"]): Promise<Buffer | undefined> {
  if (body === undefined) return undefined;
  const parts: Uint8Array[] = [];
  for await (const part of body) parts.push(part);
  return Buffer.concat(parts);
}

async function send(
  url: URL,
  req: GitHttpRequest,
  body: Buffer | undefined,
  opts: GitHttpOptions,
): Promise<Dispatcher.ResponseData> {
  const dispatcher = dispatcherFor(opts);
  return request(url, {
    method: req.method ?? "GET",
    headers: { ...req.headers },
    ...(body === undefined ? {} : { body }),
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(dispatcher ? { dispatcher } : {}),
  });
}

function flatHeaders(headers: Dispatcher.ResponseData["headers"]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers))
    if (v !== undefined) out[k] = Array.isArray(v) ? v.join(", ") : v;
  return out;
}

/** Builds the transport; one per reconcile, so its signal and CA belong to that run. */
export function createGitHttpClient(opts: GitHttpOptions = {}): HttpClient {
  return {
    async request(req: GitHttpRequest): Promise<GitHttpResponse> {
      const body = await collectBody(req.body);
      let url = new URL(req.url);
      let res = await send(url, req, body, opts);
      for (let hops = 0; hops < 5 && req.method !== "POST" && isRedirect(res.statusCode); hops++) {
        await res.body.dump();
        url = new URL(flatHeaders(res.headers).location ?? "", url);
        res = await send(url, req, body, opts);
      }
      // Only a request that wants objects gets a pack back; ref listings stay unbounded.
      const isPack =
        body !== undefined && url.pathname.endsWith("/git-upload-pack") && body.includes("want ");
      return {
        url: url.toString(),
        method: req.method ?? "GET",
        headers: flatHeaders(res.headers),
        body: bodyOf(res.body, isPack ? opts.maxPackBytes : undefined),
        statusCode: res.statusCode,
        statusMessage: STATUS_CODES[res.statusCode] ?? "",
      };
    },
  };
}

function isRedirect(status: number): boolean {
  return status === 301 || status === 302 || status === 303 || status === 307 || status === 308;
}
