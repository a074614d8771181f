/**
 * The {@link SourceClient} over the real API server: objects from an informer store when one is
 * given (Flux reads its own kind from the cache), Secrets read directly, status written with a
 * JSON merge patch on the status subresource. One class for every source kind.
 */
import type { KubeConfig } from "@kubernetes/client-node";
import { GIT_REPOSITORY, OCI_REPOSITORY, type GitRepository, type OCIRepository } from "../api/index.js";
import type { EventRecord } from "../runtime/event-types.js";
import { involvedObjectOf, type EventSinkFn } from "../runtime/events.js";
import type { Store } from "../runtime/informer/store.js";
import { kubeRequest, orUndefined, resourcePath } from "../runtime/kube-request.js";
import { formatKey, type ObjectKey } from "../runtime/reconciler.js";
import type { AnySource, OCIRepositoryClient, SourceClient } from "./ports.js";

export type { EventSinkFn } from "../runtime/events.js";

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * A status merge patch that also removes fields the new status dropped, at any depth (an
 * artifact without `metadata` must not keep the previous artifact's through the merge).
 */
export function statusPatch(next: object | undefined, previous: object | undefined): Record<string, unknown> {
  const patch: Record<string, unknown> = { ...next };
  for (const [k, old] of Object.entries(previous ?? {})) {
    if (!(k in patch)) patch[k] = null;
    else if (isPlainObject(old) && isPlainObject(patch[k])) patch[k] = statusPatch(patch[k], old);
  }
  return patch;
}

/** The REST names of a source kind. */
interface KindNames {
  readonly apiVersion: string;
  readonly plural: string;
}

/** The API implementation, for any source kind. */
export class ApiSourceClient<T extends AnySource> implements SourceClient<T> {
  constructor(
    protected readonly kc: KubeConfig,
    private readonly names: KindNames,
    private readonly recordEvent: EventSinkFn,
    private readonly store?: Store<T & { metadata: { name?: string } }>,
  ) {}

  private path(key: ObjectKey): string {
    return resourcePath({ apiVersion: this.names.apiVersion, plural: this.names.plural, ...key });
  }

  async get(key: ObjectKey): Promise<T | undefined> {
    if (this.store !== undefined) return this.store.get(formatKey(key));
    return orUndefined(kubeRequest<T>(this.kc, this.path(key)));
  }

  async getSecretData(key: ObjectKey): Promise<Record<string, string> | undefined> {
    const path = resourcePath({ apiVersion: "v1", plural: "secrets", ...key });
    const secret = await orUndefined(kubeRequest<{ data?: Record<string, string> }>(this.kc, path));
    if (secret === undefined) return undefined;
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(secret.data ?? {}))
      out[k] = Buffer.from(v, "base64").toString("utf8");
    return out;
  }

  async patchStatus(obj: T, previous: T["status"]): Promise<void> {
    const key = { namespace: obj.metadata.namespace ?? "", name: obj.metadata.name ?? "" };
    await orUndefined(
      kubeRequest(this.kc, `${this.path(key)}/status`, {
        method: "PATCH",
        body: { status: statusPatch(obj.status, previous) },
        contentType: "application/merge-patch+json",
      }),
    );
  }

  async setFinalizers(obj: T, finalizers: readonly string[]): Promise<T | undefined> {
    const key = { namespace: obj.metadata.namespace ?? "", name: obj.metadata.name ?? "" };
    return orUndefined(
      kubeRequest<T>(this.kc, this.path(key), {
        method: "PATCH",
        body: { metadata: { finalizers: [...finalizers], resourceVersion: obj.metadata.resourceVersion } },
        contentType: "application/merge-patch+json",
      }),
    );
  }

  emitEvent(obj: T, event: EventRecord): void {
    this.recordEvent(involvedObjectOf(obj), event);
  }
}

/** The GitRepository client. */
export class ApiGitRepositoryClient extends ApiSourceClient<GitRepository> {
  constructor(
    kc: KubeConfig,
    recordEvent: EventSinkFn,
    store?: Store<GitRepository & { metadata: { name?: string } }>,
  ) {
    super(kc, GIT_REPOSITORY, recordEvent, store);
  }
}

/** The OCIRepository client: also reads ServiceAccounts for their image pull secrets. */
export class ApiOCIRepositoryClient extends ApiSourceClient<OCIRepository> implements OCIRepositoryClient {
  constructor(
    kc: KubeConfig,
    recordEvent: EventSinkFn,
    store?: Store<OCIRepository & { metadata: { name?: string } }>,
  ) {
    super(kc, OCI_REPOSITORY, recordEvent, store);
  }

  async getImagePullSecretNames(key: ObjectKey): Promise<string[] | undefined> {
    const path = resourcePath({ apiVersion: "v1", plural: "serviceaccounts", ...key });
    const sa = await orUndefined(kubeRequest<{ imagePullSecrets?: { name?: string }[] }>(this.kc, path));
    if (sa === undefined) return undefined;
    return (sa.imagePullSecrets ?? []).map((s) => s.name ?? "").filter((n) => n !== "");
  }
}
