/**
 * The {@link GitRepositoryClient} over the real API server: objects from an informer store when
 * one is given (Flux reads its own kind from the cache), Secrets read directly, status written
 * with a JSON merge patch on the status subresource.
 */
import type { KubeConfig } from "@kubernetes/client-node";
import { GIT_REPOSITORY, type GitRepository } from "../api/index.js";
import type { EventRecord } from "../runtime/event-types.js";
import { involvedObjectOf, type EventSinkFn } from "../runtime/events.js";
import type { Store } from "../runtime/informer/store.js";
import { kubeRequest, orUndefined, resourcePath } from "../runtime/kube-request.js";
import { formatKey, type ObjectKey } from "../runtime/reconciler.js";
import type { GitRepositoryClient } from "./ports.js";

export type { EventSinkFn } from "../runtime/events.js";

/** A status merge patch that also removes fields the new status dropped. */
export function statusPatch(
  next: GitRepository["status"],
  previous: GitRepository["status"],
): Record<string, unknown> {
  const patch: Record<string, unknown> = { ...next };
  for (const k of Object.keys(previous ?? {})) if (!(k in patch)) patch[k] = null;
  return patch;
}

/** The API implementation. */
export class ApiGitRepositoryClient implements GitRepositoryClient {
  constructor(
    private readonly kc: KubeConfig,
    private readonly recordEvent: EventSinkFn,
    private readonly store?: Store<GitRepository & { metadata: { name?: string } }>,
  ) {}

  private path(key: ObjectKey): string {
    return resourcePath({ apiVersion: GIT_REPOSITORY.apiVersion, plural: GIT_REPOSITORY.plural, ...key });
  }

  async get(key: ObjectKey): Promise<GitRepository | undefined> {
    if (this.store !== undefined) return this.store.get(formatKey(key));
    return orUndefined(kubeRequest<GitRepository>(this.kc, this.path(key)));
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

  async patchStatus(obj: GitRepository, previous: GitRepository["status"]): Promise<void> {
    const key = { namespace: obj.metadata.namespace ?? "", name: obj.metadata.name ?? "" };
    await orUndefined(
      kubeRequest(this.kc, `${this.path(key)}/status`, {
        method: "PATCH",
        body: { status: statusPatch(obj.status, previous) },
        contentType: "application/merge-patch+json",
      }),
    );
  }

  async setFinalizers(obj: GitRepository, finalizers: readonly string[]): Promise<GitRepository | undefined> {
    const key = { namespace: obj.metadata.namespace ?? "", name: obj.metadata.name ?? "" };
    return orUndefined(
      kubeRequest<GitRepository>(this.kc, this.path(key), {
        method: "PATCH",
        body: { metadata: { finalizers: [...finalizers], resourceVersion: obj.metadata.resourceVersion } },
        contentType: "application/merge-patch+json",
      }),
    );
  }

  emitEvent(obj: GitRepository, event: EventRecord): void {
    this.recordEvent(involvedObjectOf(obj), event);
  }
}
