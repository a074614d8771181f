/**
 * A minimal OCI distribution client on the project's HTTP client (undici, pools from
 * http-dispatcher.ts): resolve a tag to its manifest digest with one HEAD (GET when the HEAD
 * fails, as go-containerregistry does), list tags, fetch a manifest by digest and a blob into a
 * file, checking every digest. Authentication is registry-auth.ts; the scheme (https, or http
 * for loopback and `insecure` registries after https failed) is found once per registry.
 */
import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { pipeline } from "node:stream/promises";
import { Transform, type TransformCallback } from "node:stream";
import { type Dispatcher, request } from "undici";
import { messageOf } from "../../runtime/errors.js";
import { dispatcherFor, type DispatcherOptions } from "../http-dispatcher.js";
import type { RegistryCredentials } from "./credentials.js";
import type { OciRepositoryName } from "./reference.js";
import { parseChallenge, RegistryAuthCache } from "./registry-auth.js";

/** Media types of manifests and indexes this client accepts. */
export const MANIFEST_MEDIA_TYPES = [
  "application/vnd.oci.image.manifest.v1+json",
  "application/vnd.oci.image.index.v1+json",
  "application/vnd.docker.distribution.manifest.v2+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
] as const;
const INDEX_MEDIA_TYPES: ReadonlySet<string> = new Set([MANIFEST_MEDIA_TYPES[1], MANIFEST_MEDIA_TYPES[3]]);
const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
const REDIRECTS: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

/** One registry repository as a reconcile reaches it. */
export interface RegistryTarget {
  readonly name: OciRepositoryName;
  readonly credentials?: RegistryCredentials;
  readonly tls: DispatcherOptions;
  readonly signal: AbortSignal;
}

/** A layer or config descriptor. */
export interface Descriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly annotations?: Record<string, string>;
  readonly platform?: { architecture?: string; os?: string };
}

/** An image manifest. */
export interface ImageManifest {
  readonly mediaType?: string;
  readonly layers?: Descriptor[];
  readonly manifests?: Descriptor[];
  readonly annotations?: Record<string, string>;
}

/** A registry answered with an error (or something that is not what the spec says). */
export class RegistryError extends Error {
  override readonly name = "RegistryError";
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

const sha256 = (b: Uint8Array): string => `sha256:${createHash("sha256").update(b).digest("hex")}`;

/** `GET <url>: CODE: message; …` from a registry error body, or the status line. */
async function errorOf(method: string, url: string, res: Dispatcher.ResponseData): Promise<RegistryError> {
  const text = method === "HEAD" ? "" : await res.body.text().catch(() => "");
  if (method === "HEAD") await res.body.dump();
  let detail = `unexpected status code ${res.statusCode}`;
  try {
    const errors = (JSON.parse(text) as { errors?: { code?: string; message?: string }[] }).errors ?? [];
    if (errors.length > 0) detail = errors.map((e) => `${e.code ?? ""}: ${e.message ?? ""}`).join("; ");
  } catch {
    // not JSON: the status line says enough
  }
  return new RegistryError(`${method} ${url}: ${detail}`, res.statusCode);
}

/** Hashes and counts what passes; refuses more than `limit` bytes. */
class Measure extends Transform {
  readonly hash = createHash("sha256");
  size = 0;
  constructor(private readonly limit: number) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.size += chunk.length;
    if (this.size > this.limit)
      return done(new RegistryError(`blob exceeds the limit of ${this.limit} bytes`));
    this.hash.update(chunk);
    done(null, chunk);
  }
}

/** The client; one per controller, so handshakes and schemes are remembered across reconciles. */
export class RegistryClient {
  private readonly auth = new RegistryAuthCache();
  private readonly schemes = new Map<string, "https" | "http">();
  private readonly userAgent: string;
  private readonly maxBlobBytes: number;

  constructor(opts: { userAgent?: string; maxBlobBytes?: number } = {}) {
    this.userAgent = opts.userAgent ?? "mooring";
    this.maxBlobBytes = opts.maxBlobBytes ?? 1024 * 1024 * 1024;
  }

  /** The digest `reference` (a tag) points at: one HEAD, or a GET when the HEAD gives none. */
  async resolveDigest(t: RegistryTarget, reference: string): Promise<string> {
    const path = `/manifests/${encodeURIComponent(reference)}`;
    const accept = MANIFEST_MEDIA_TYPES.join(", ");
    const head = await this.send(t, "HEAD", path, { headers: { accept } });
    const digest = head.res.headers["docker-content-digest"];
    await head.res.body.dump();
    if (head.res.statusCode === 200 && typeof digest === "string" && digest !== "") return digest;
    const get = await this.send(t, "GET", path, { headers: { accept } });
    if (get.res.statusCode !== 200) throw await errorOf("GET", get.url, get.res);
    const body = await this.readLimited(get.res, MAX_MANIFEST_BYTES);
    const header = get.res.headers["docker-content-digest"];
    return typeof header === "string" && header !== "" ? header : sha256(body);
  }

  /** The image manifest at `digest` (an index resolves to its linux/amd64 entry), checked. */
  async imageManifest(t: RegistryTarget, digest: string): Promise<ImageManifest> {
    const manifest = await this.manifest(t, digest);
    if (!INDEX_MEDIA_TYPES.has(manifest.mediaType ?? "") && manifest.manifests === undefined) return manifest;
    const entry = (manifest.manifests ?? []).find(
      (m) => m.platform?.os === "linux" && m.platform.architecture === "amd64",
    );
    if (entry === undefined) throw new RegistryError(`no child with platform linux/amd64 in index ${digest}`);
    return this.manifest(t, entry.digest);
  }

  /** Every tag of the repository (following `Link` pagination). */
  async listTags(t: RegistryTarget): Promise<string[]> {
    const tags: string[] = [];
    let path: string | undefined = "/tags/list?n=1000";
    for (let page = 0; path !== undefined && page < 100; page++) {
      const { res, url } = await this.send(t, "GET", path, { headers: { accept: "application/json" } });
      if (res.statusCode !== 200) throw await errorOf("GET", url, res);
      const body = JSON.parse((await this.readLimited(res, MAX_MANIFEST_BYTES)).toString("utf8")) as {
        tags?: string[] | null;
      };
      tags.push(...(body.tags ?? []));
      const link = /<([^>]+)>\s*;\s*rel="?next"?/.exec(String(res.headers.link ?? ""));
      path = link ? link[1]!.replace(/^.*?\/v2\/.*?\/tags\/list/, "/tags/list") : undefined;
    }
    return tags;
  }

  /** Downloads blob `digest` into `dest`, checking its digest; returns its size. */
  async downloadBlob(t: RegistryTarget, digest: string, dest: string): Promise<number> {
    const { res, url } = await this.send(t, "GET", `/blobs/${digest}`, { follow: true });
    if (res.statusCode !== 200) throw await errorOf("GET", url, res);
    const measure = new Measure(this.maxBlobBytes);
    await pipeline(res.body, measure, createWriteStream(dest, { mode: 0o600 }));
    const actual = `sha256:${measure.hash.digest("hex")}`;
    if (actual !== digest) throw new RegistryError(`blob ${digest} has digest ${actual}`);
    return measure.size;
  }

  private async manifest(t: RegistryTarget, digest: string): Promise<ImageManifest> {
    const accept = MANIFEST_MEDIA_TYPES.join(", ");
    const { res, url } = await this.send(t, "GET", `/manifests/${digest}`, { headers: { accept } });
    if (res.statusCode !== 200) throw await errorOf("GET", url, res);
    const body = await this.readLimited(res, MAX_MANIFEST_BYTES);
    if (digest.startsWith("sha256:") && sha256(body) !== digest)
      throw new RegistryError(`manifest ${digest} has digest ${sha256(body)}`);
    return JSON.parse(body.toString("utf8")) as ImageManifest;
  }

  private async readLimited(res: Dispatcher.ResponseData, limit: number): Promise<Buffer> {
    const parts: Buffer[] = [];
    let size = 0;
    for await (const chunk of res.body as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > limit) {
        res.body.destroy();
        throw new RegistryError(`response exceeds the limit of ${limit} bytes`);
      }
      parts.push(chunk);
    }
    return Buffer.concat(parts);
  }

  /**
   * One request to `/v2/<repository><path>`, answering an auth challenge once. Blob requests
   * (`follow`) follow redirects to storage back-ends, without the registry's Authorization on
   * another host.
   */
  private async send(
    t: RegistryTarget,
    method: string,
    path: string,
    { headers = {}, follow = false }: { headers?: Record<string, string>; follow?: boolean } = {},
  ): Promise<{ res: Dispatcher.ResponseData; url: string }> {
    const url = `${await this.scheme(t)}://${t.name.apiHost}/v2/${t.name.repository}${path}`;
    const key = RegistryAuthCache.key(t.name.apiHost, t.name.repository, t.credentials);
    const dispatcher = dispatcherFor(t.tls);
    const once = (authorization: string | undefined, target = url): Promise<Dispatcher.ResponseData> => {
      const all = { ...headers, ...(authorization === undefined ? {} : { authorization }) };
      return this.call({ url: target, method, headers: all }, t.signal, dispatcher);
    };
    let res = await once(this.auth.header(key));
    if (res.statusCode === 401) res = await once(await this.answer(t, key, res, dispatcher));
    if (res.statusCode === 401) this.auth.forget(key);
    for (let hops = 0; follow && hops < 5 && REDIRECTS.has(res.statusCode); hops++) {
      const next = new URL(String(res.headers.location ?? ""), url);
      await res.body.dump();
      res = await once(next.host === new URL(url).host ? this.auth.header(key) : undefined, next.toString());
    }
    return { res, url };
  }

  /** The Authorization header answering a 401's challenge (undefined: nothing to try). */
  private async answer(
    t: RegistryTarget,
    key: string,
    res: Dispatcher.ResponseData,
    dispatcher: Dispatcher | undefined,
  ): Promise<string | undefined> {
    const challenge = parseChallenge(String(res.headers["www-authenticate"] ?? ""));
    await res.body.dump();
    this.auth.forget(key);
    if (challenge === undefined) return undefined;
    return this.auth.answer(key, {
      challenge,
      repository: t.name.repository,
      credentials: t.credentials,
      dispatcher,
      signal: t.signal,
      userAgent: this.userAgent,
    });
  }

  private async call(
    { url, method, headers }: { url: string; method: string; headers: Record<string, string> },
    signal: AbortSignal,
    dispatcher: Dispatcher | undefined,
  ): Promise<Dispatcher.ResponseData> {
    try {
      return await request(url, {
        method: method,
        headers: { "user-agent": this.userAgent, ...headers },
        signal,
        ...(dispatcher ? { dispatcher } : {}),
      });
    } catch (err) {
      throw new RegistryError(`${method} ${url}: ${causeChain(err)}`);
    }
  }

  /**
   * https, unless the registry may speak plain HTTP (loopback, `insecure`) and https fails to
   * connect: then http, remembered for the registry.
   */
  private async scheme(t: RegistryTarget): Promise<"https" | "http"> {
    if (!t.name.httpFallback) return "https";
    const key = `${t.name.apiHost}|${JSON.stringify(t.tls)}`;
    const known = this.schemes.get(key);
    if (known !== undefined) return known;
    const dispatcher = dispatcherFor(t.tls);
    let scheme: "https" | "http" = "https";
    try {
      const res = await request(`https://${t.name.apiHost}/v2/`, {
        signal: t.signal,
        headers: { "user-agent": this.userAgent },
        ...(dispatcher ? { dispatcher } : {}),
      });
      await res.body.dump();
    } catch (err) {
      // Out of time: nothing learnt about the registry.
      if (t.signal.aborted) throw new RegistryError(`GET https://${t.name.apiHost}/v2/: ${causeChain(err)}`);
      // A certificate problem means TLS is spoken: keep https so the request reports it.
      if (!/cert|self.signed|verify/i.test(causeChain(err))) scheme = "http";
    }
    this.schemes.set(key, scheme);
    return scheme;
  }
}

/** An error's message with its causes (undici puts the useful part in `cause`). */
function causeChain(err: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = err; e !== undefined && parts.length < 4; e = (e as { cause?: unknown }).cause) {
    const m = messageOf(e);
    if (m !== "" && !parts.includes(m)) parts.push(m);
  }
  return parts.join(": ");
}
