/**
 * What the source reconcilers need from the cluster, as one narrow interface, so their steps run
 * the same against the API server (cluster-client.ts) and against an in-memory fake.
 */
import type { FluxObject, GitRepository, OCIRepository } from "../api/index.js";
import type { EventRecord } from "../runtime/event-types.js";
import type { ObjectKey } from "../runtime/reconciler.js";
import type { StatusPatch } from "../runtime/status-patch.js";

/** Any source object: a Flux object with a status. */
export type AnySource = FluxObject<unknown, object>;

/** Reads and writes of a source reconciler over objects of type `T`. */
export interface SourceClient<T extends AnySource> {
  /** The object (from the informer cache when there is one); undefined when gone. */
  get(key: ObjectKey): Promise<T | undefined>;
  /** Decoded `data` of a Secret; undefined when it does not exist. */
  getSecretData(key: ObjectKey): Promise<Record<string, string> | undefined>;
  /** Sends a status merge patch (status subresource); see runtime/finish-status.ts. */
  patchStatus(obj: T, patch: StatusPatch): Promise<void>;
  /** Replaces the finalizer list, guarded by resourceVersion; returns the updated object. */
  setFinalizers(obj: T, finalizers: readonly string[]): Promise<T | undefined>;
  /** Records an event about the object. */
  emitEvent(obj: T, event: EventRecord): void;
}

/** Reads and writes of the GitRepository reconciler. */
export type GitRepositoryClient = SourceClient<GitRepository>;

/** Reads and writes of the OCIRepository reconciler: also a ServiceAccount's image pull secrets. */
export interface OCIRepositoryClient extends SourceClient<OCIRepository> {
  /** Names in a ServiceAccount's `imagePullSecrets`; undefined when it does not exist. */
  getImagePullSecretNames(key: ObjectKey): Promise<string[] | undefined>;
}
