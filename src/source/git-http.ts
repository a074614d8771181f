/**
 * The HTTP transport handed to isomorphic-git.
 *
 * isomorphic-git's bundled Node client cannot take a custom CA, cannot bound how much a server
 * sends and buffers responses its own way; this one uses node:http(s) directly so the source
 * controller can trust `ca.crt` from a Secret, abort on the reconcile's signal and refuse a pack
 * larger than the configured limit before it is held in memory.
 */
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import type { GitHttpRequest, GitHttpResponse, HttpClient } from "isomorphic-git";

/** Options of {@link createGitHttpClient}. */
export interface GitHttpOptions {
  /** PEM CA bundle to trust besides the system roots' replacement (Secret key `ca.crt`). */
  readonly ca?: string;
  /** PEM client certificate and key for mutual TLS (Secret keys `tls.crt`, `tls.key`). */
  readonly cert?: string;
  readonly key?: string;
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

async function* bodyOf(res: IncomingMessage, limit: number | undefined): AsyncGenerator<Uint8Array> {
  let total = 0;
  for await (const chunk of res as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (limit !== undefined && total > limit) {
      res.destroy();
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

function send(
  url: URL,
  req: GitHttpRequest,
  body: Buffer | undefined,
  opts: GitHttpOptions,
): Promise<IncomingMessage> {
  const headers: Record<string, string> = { ...req.headers };
  if (body !== undefined) headers["content-length"] = String(body.length);
  const doRequest = url.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const tls = {
      ...(opts.ca ? { ca: opts.ca } : {}),
      ...(opts.cert && opts.key ? { cert: opts.cert, key: opts.key } : {}),
    };
    const r = doRequest(url, { method: req.method ?? "GET", headers, signal: opts.signal, ...tls }, resolve);
    r.on("error", reject);
    r.end(body);
  });
}

function flatHeaders(res: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(res.headers))
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
        res.resume();
        url = new URL(res.headers.location ?? "", url);
        res = await send(url, req, body, opts);
      }
      // Only a request that wants objects gets a pack back; ref listings stay unbounded.
      const isPack =
        body !== undefined && url.pathname.endsWith("/git-upload-pack") && body.includes("want ");
      return {
        url: url.toString(),
        method: req.method ?? "GET",
        headers: flatHeaders(res),
        body: bodyOf(res, isPack ? opts.maxPackBytes : undefined),
        statusCode: res.statusCode ?? 0,
        statusMessage: res.statusMessage ?? "",
      };
    },
  };
}

function isRedirect(status: number | undefined): boolean {
  return status === 301 || status === 302 || status === 303 || status === 307 || status === 308;
}
