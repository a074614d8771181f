/**
 * The {@link SourceClient} over the real API server: objects from an informer cache when one is
 * given (Flux reads its own kind from the cache; read-your-writes, see informer/fresh-reads.ts), Secrets read directly, status written with a
 * JSON merge patch on the status subresource. One class for every source kind.
 */
import type { KubeConfig } from "../runtime/kubeconfig/index.js";
import { GIT_REPOSITORY, OCI_REPOSITORY, type GitRepository, type OCIRepository } from "../api/index.js";
import type { EventRecord } from "../runtime/event-types.js";
import { involvedObjectOf, type EventSinkFn } from "../runtime/events.js";
import type { FreshReads } from "../runtime/informer/fresh-reads.js";
import { kubeRequest, orUndefined, resourcePath } from "../runtime/kube-request.js";
import { formatKey, type ObjectKey } from "../runtime/reconciler.js";
import { readSecretData } from "../runtime/secret-data.js";
import { patchObjectStatus, type StatusPatch } from "../runtime/status-patch.js";
import type { AnySource, OCIRepositoryClient, SourceClient } from "./ports.js";

export type { EventSinkFn } from "../runtime/events.js";

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
    private readonly cache?: FreshReads<T & { metadata: { name?: string } }>,
  ) {}

  private path(key: ObjectKey): string {
    return resourcePath({ apiVersion: this.names.apiVersion, plural: this.names.plural, ...key });
  }

  get(key: ObjectKey): Promise<T | undefined> {
    const live = (): Promise<T | undefined> => orUndefined(kubeRequest<T>(this.kc, this.path(key)));
    return this.cache === undefined ? live() : this.cache.read(formatKey(key), live);
  }

  getSecretData(key: ObjectKey): Promise<Record<string, string> | undefined> {
    return readSecretData(this.kc, key);
  }

  async patchStatus(obj: T, patch: StatusPatch): Promise<void> {
    const key = { namespace: obj.metadata.namespace ?? "", name: obj.metadata.name ?? "" };
    this.cache?.wrote(formatKey(key), await patchObjectStatus(this.kc, this.path(key), patch));
  }

  async setFinalizers(obj: T, finalizers: readonly string[]): Promise<T | undefined> {
    const key = { namespace: obj.metadata.namespace ?? "", name: obj.metadata.name ?? "" };
    const written = await orUndefined(
      kubeRequest<T>(this.kc, this.path(key), {
        method: "PATCH",
        body: { metadata: { finalizers: [...finalizers], resourceVersion: obj.metadata.resourceVersion } },
        contentType: "application/merge-patch+json",
      }),
    );
    this.cache?.wrote(formatKey(key), written?.metadata.resourceVersion);
    return written;
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
    cache?: FreshReads<GitRepository & { metadata: { name?: string } }>,
  ) {
    super(kc, GIT_REPOSITORY, recordEvent, cache);
  }
}

/** The OCIRepository client: also reads ServiceAccounts for their image pull secrets. */
export class ApiOCIRepositoryClient extends ApiSourceClient<OCIRepository> implements OCIRepositoryClient {
  constructor(
    kc: KubeConfig,
    recordEvent: EventSinkFn,
    cache?: FreshReads<OCIRepository & { metadata: { name?: string } }>,
  ) {
    super(kc, OCI_REPOSITORY, recordEvent, cache);
  }

  async getImagePullSecretNames(key: ObjectKey): Promise<string[] | undefined> {
    const path = resourcePath({ apiVersion: "v1", plural: "serviceaccounts", ...key });
    const sa = await orUndefined(kubeRequest<{ imagePullSecrets?: { name?: string }[] }>(this.kc, path));
    if (sa === undefined) return undefined;
    return (sa.imagePullSecrets ?? []).map((s) => s.name ?? "").filter((n) => n !== "");
  }
}
