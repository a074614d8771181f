/**
 * Raw JSON requests to the API server by path, with the KubeConfig's authentication.
 *
 * The informer lists any resource by path (no discovery round trip, no typed model), and the lease
 * code needs `MicroTime` values written exactly as the server parses them; the generated clients'
 * serialisers get in the way of both. Requests go over the KubeConfig's shared transport.
 */
import type { KubeConfig } from "@kubernetes/client-node";
import { kubeTransport } from "./kube-transport.js";
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

/** A non-2xx answer, carrying the HTTP code and the Status reason (`NotFound`, `Conflict`, `Expired`). */
export class KubeApiError extends Error {
  override readonly name = "KubeApiError";
  constructor(
    readonly statusCode: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

/** Options of {@link kubeRequest}. */
export interface KubeRequestOptions {
  readonly method?: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  readonly query?: Readonly<Record<string, string | number | boolean | undefined>>;
  readonly body?: unknown;
  /** For PATCH: `application/merge-patch+json` (default) etc. */
  readonly contentType?: string;
  readonly signal?: AbortSignal;
  /** Caps concurrent requests. */
  readonly limiter?: Semaphore;
}

/** Performs one request and parses the JSON answer; throws {@link KubeApiError} on non-2xx. */
export async function kubeRequest<T>(
  kc: KubeConfig,
  path: string,
  options: KubeRequestOptions = {},
): Promise<T> {
  const run = (): Promise<T> => send<T>(kc, path, options);
  return options.limiter ? options.limiter.run(run) : run();
}

async function send<T>(kc: KubeConfig, path: string, options: KubeRequestOptions): Promise<T> {
  const method = options.method ?? "GET";
  const response = await kubeTransport(kc).send({
    method,
    path,
    ...(options.query ? { query: options.query } : {}),
    headers: requestHeaders(method, options),
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    signal: options.signal,
  });
  const text = await response.body.text();
  if (response.statusCode >= 400) throw apiError(response.statusCode, text);
  return (text === "" ? undefined : JSON.parse(text)) as T;
}

function requestHeaders(method: string, options: KubeRequestOptions): Record<string, string> {
  const headers: Record<string, string> = { accept: "application/json" };
  if (options.body === undefined) return headers;
  const fallback = method === "PATCH" ? "application/merge-patch+json" : "application/json";
  headers["content-type"] = options.contentType ?? fallback;
  return headers;
}

function apiError(code: number, text: string): KubeApiError {
  try {
    const status = JSON.parse(text) as { reason?: string; message?: string };
    return new KubeApiError(code, status.reason ?? "", status.message ?? text);
  } catch {
    return new KubeApiError(code, "", text.slice(0, 500) || `HTTP ${code}`);
  }
}

/** True for a 404. */
export function isNotFound(err: unknown): boolean {
  if (err instanceof KubeApiError) return err.statusCode === 404;
  // @kubernetes/client-node's ApiException carries the status as `code`.
  return (err as { code?: unknown } | null)?.code === 404;
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
