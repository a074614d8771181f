/**
 * Raw JSON requests to the API server by path, with the KubeConfig's authentication.
 *
 * The informer lists any resource by path (no discovery round trip, no typed model), and the lease
 * code needs `MicroTime` values written exactly as the server parses them; the generated clients'
 * serialisers get in the way of both. Requests go over the KubeConfig's shared transport.
 */
import type { KubeConfig } from "./kubeconfig/index.js";
import { kubeTransport, type TransportResponse } from "./kube-transport.js";
import type { Semaphore } from "./semaphore.js";

/** A resource collection or object, addressed the way the REST API does. */
export interface ResourceRef {
  /** `v1`, `apps/v1`, `coordination.k8s.io/v1`. */
  readonly apiVersion: string;
  /** Lower-case plural: `configmaps`, `gitrepositories`. */
  readonly plural: string;
  /** Omit for cluster-scoped resources or all namespaces. */
  readonly namespace?: string;
  readonly name?: string;
}

/** The REST path of `ref`. */
export function resourcePath(ref: ResourceRef): string {
  const prefix = ref.apiVersion.includes("/") ? `/apis/${ref.apiVersion}` : `/api/${ref.apiVersion}`;
  const ns = ref.namespace ? `/namespaces/${encodeURIComponent(ref.namespace)}` : "";
  const name = ref.name ? `/${encodeURIComponent(ref.name)}` : "";
  return `${prefix}${ns}/${ref.plural}${name}`;
}

/** A Kubernetes `Status` body as returned with API errors. */
export interface KubeStatus {
  readonly kind?: string;
  readonly status?: string;
  readonly message?: string;
  readonly reason?: string;
  readonly code?: number;
}

/**
 * A non-2xx answer of the API server: the one error type of every request the controller sends.
 * Carries the HTTP code (`statusCode`, also as `code` where the apply layer's classifiers look),
 * the Status reason (`NotFound`, `Conflict`, `Expired`) and the Status body.
 */
export class KubeApiError extends Error {
  override readonly name = "KubeApiError";
  readonly reason: string;

  /** `what` (e.g. `PATCH /api/v1/...`) prefixes the server's message when given. */
  constructor(
    readonly statusCode: number,
    readonly body: KubeStatus,
    what?: string,
  ) {
    const message = body.message || `HTTP ${statusCode}`;
    super(what === undefined ? message : `${what}: ${message}`);
    this.reason = body.reason ?? "";
  }

  /** The HTTP code, under the name the apply layer's classifiers read (`describeApiError`). */
  get code(): number {
    return this.statusCode;
  }
}

/** The Status body of an error answer (any text when it is not JSON). */
export function parseStatus(text: string): KubeStatus {
  if (text.trim() === "") return {};
  try {
    const parsed = JSON.parse(text) as unknown;
    return typeof parsed === "object" && parsed !== null ? parsed : { message: text.slice(0, 500) };
  } catch {
    return { message: text.slice(0, 500) };
  }
}

/** The parsed JSON body of `response`; throws {@link KubeApiError} on >= 400. */
export async function readJson<T>(response: TransportResponse, what?: string): Promise<T | undefined> {
  const text = await response.body.text();
  if (response.statusCode >= 400) throw new KubeApiError(response.statusCode, parseStatus(text), what);
  return (text === "" ? undefined : JSON.parse(text)) as T;
}

/** One parsed JSON value per line of a streaming answer (a watch); throws on >= 400. */
export async function* jsonLines<T>(response: TransportResponse, what?: string): AsyncGenerator<T> {
  if (response.statusCode >= 400) {
    throw new KubeApiError(response.statusCode, parseStatus(await response.body.text()), what);
  }
  const decoder = new TextDecoder();
  let buffered = "";
  for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
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

/** Options of {@link kubeRequest}. */
export interface KubeRequestOptions {
  readonly method?: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  readonly query?: Readonly<Record<string, string | number | boolean | undefined>>;
  readonly body?: unknown;
  /** For PATCH: `application/merge-patch+json` (default) etc. */
  readonly contentType?: string;
  /** Extra headers, e.g. `Impersonate-User`. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Prefixes the server's message in a {@link KubeApiError} (e.g. `PATCH /api/v1/...`). */
  readonly what?: string;
  readonly signal?: AbortSignal | undefined;
  /** Caps concurrent requests. */
  readonly limiter?: Semaphore | undefined;
}

/** Performs one request and parses the JSON answer; throws {@link KubeApiError} on non-2xx. */
export async function kubeRequest<T>(
  kc: KubeConfig,
  path: string,
  options: KubeRequestOptions = {},
): Promise<T> {
  const run = async (): Promise<T> => (await readJson<T>(await send(kc, path, options), options.what)) as T;
  return options.limiter ? options.limiter.run(run) : run();
}

/** Opens a streaming GET (a watch) and yields one parsed JSON value per line. */
export async function* kubeStream<T>(
  kc: KubeConfig,
  path: string,
  options: Omit<KubeRequestOptions, "method" | "body" | "contentType" | "limiter"> = {},
): AsyncGenerator<T> {
  yield* jsonLines<T>(await send(kc, path, options), options.what ?? `watch ${path}`);
}

function send(kc: KubeConfig, path: string, options: KubeRequestOptions): Promise<TransportResponse> {
  const method = options.method ?? "GET";
  return kubeTransport(kc).send({
    method,
    path,
    ...(options.query ? { query: options.query } : {}),
    headers: { ...requestHeaders(method, options), ...options.headers },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    signal: options.signal,
  });
}

function requestHeaders(method: string, options: KubeRequestOptions): Record<string, string> {
  const headers: Record<string, string> = { accept: "application/json" };
  if (options.body === undefined) return headers;
  const fallback = method === "PATCH" ? "application/merge-patch+json" : "application/json";
  headers["content-type"] = options.contentType ?? fallback;
  return headers;
}

/** True for a 404. */
export function isNotFound(err: unknown): boolean {
  return err instanceof KubeApiError && err.statusCode === 404;
}

/** The promise's value, or undefined when the object does not exist (404). */
export async function orUndefined<T>(p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/** True for a 409. */
export function isConflict(err: unknown): boolean {
  return err instanceof KubeApiError && err.statusCode === 409;
}
