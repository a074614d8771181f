/**
 * What the GitRepository reconciler needs from the cluster, as one narrow interface, so its steps
 * run the same against the API server (cluster-client.ts) and against an in-memory fake.
 */
import type { GitRepository } from "../api/index.js";
import type { EventRecord } from "../runtime/event-types.js";
import type { ObjectKey } from "../runtime/reconciler.js";

/** Reads and writes of the GitRepository reconciler. */
export interface GitRepositoryClient {
  /** The object (from the informer cache when there is one); undefined when gone. */
  get(key: ObjectKey): Promise<GitRepository | undefined>;
  /** Decoded `data` of a Secret; undefined when it does not exist. */
  getSecretData(key: ObjectKey): Promise<Record<string, string> | undefined>;
  /** Writes `status` (status subresource); fields absent from `status` but in `previous` are removed. */
  patchStatus(obj: GitRepository, previous: GitRepository["status"]): Promise<void>;
  /** Replaces the finalizer list, guarded by resourceVersion; returns the updated object. */
  setFinalizers(obj: GitRepository, finalizers: readonly string[]): Promise<GitRepository | undefined>;
  /** Records an event about the object. */
  emitEvent(obj: GitRepository, event: EventRecord): void;
}
