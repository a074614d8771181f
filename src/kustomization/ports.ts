/**
 * What the Kustomization reconciler needs from the outside world, as two small interfaces.
 *
 * Keeping them narrow lets the reconciler's steps be tested with in-memory fakes, and lets the
 * pieces written by others (the runtime's informer cache and event recorder, the apply layer's
 * ApplyManager) plug in without the reconciler knowing their classes. `cluster-client.ts` is the
 * plain API implementation of {@link KustomizationClient}.
 */
import type { Artifact, Condition, Kustomization } from "../api/index.js";
import type {
  ApplyOptions,
  ApplyResult,
  DeleteOptions,
  DeleteResult,
  HealthOptions,
  IdentityOptions,
  ObjectRef,
  OwnerRef,
} from "../apply/cluster/types.js";
import type { ClusterTarget } from "../apply/cluster/apply-clusters.js";
import type { KubeObject } from "../apply/types.js";
import type { StatusPatch } from "../runtime/status-patch.js";
import type { EventRecord } from "../runtime/event-types.js";
import type { ObjectKey } from "../runtime/reconciler.js";

/** A source object as far as a Kustomization cares: conditions and the artifact. */
export interface SourceObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: KubeObject["metadata"];
  readonly status?: {
    readonly observedGeneration?: number;
    readonly conditions?: Condition[];
    readonly artifact?: Artifact;
  };
}

/** A reference to a source: kind, namespace, name. */
export interface SourceKey extends ObjectKey {
  readonly kind: string;
}

/** Reads and writes the reconciler does against the API server (or a cache of it). */
export interface KustomizationClient {
  /** The Kustomization (from the cache when there is one); undefined when gone. */
  getKustomization(key: ObjectKey): Promise<Kustomization | undefined>;
  /** A dependency, read past any cache (Flux reads dependencies uncached). */
  getKustomizationUncached(key: ObjectKey): Promise<Kustomization | undefined>;
  /** The source object; undefined when it does not exist. */
  getSource(key: SourceKey): Promise<SourceObject | undefined>;
  /** `data` of a ConfigMap or Secret (Secret values base64); undefined when not found. */
  getConfigData(kind: "ConfigMap" | "Secret", key: ObjectKey): Promise<Record<string, string> | undefined>;
  /** Whether a ServiceAccount exists (finalisation skips prune when it does not). */
  serviceAccountExists(key: ObjectKey): Promise<boolean>;
  /**
   * Sends a status merge patch (status subresource; see runtime/finish-status.ts). Resolves to the
   * object's resourceVersion after the write, when the client knows it.
   */
  patchStatus(obj: Kustomization, patch: StatusPatch): Promise<string | undefined>;
  /** Replaces the finalizer list, guarded by the object's resourceVersion; resolves as patchStatus. */
  setFinalizers(obj: Kustomization, finalizers: readonly string[]): Promise<string | undefined>;
  /** Records an event about the Kustomization. */
  emitEvent(obj: Kustomization, event: EventRecord): Promise<void>;
}

/**
 * The apply layer as the reconciler uses it: the method names and shapes of the apply
 * engineers' `ApplyManager` (src/apply/cluster/types.ts), so it plugs in directly.
 */
export interface ApplyPort {
  applyAllStaged(objects: readonly KubeObject[], options: ApplyOptions): Promise<ApplyResult>;
  deleteStale(stale: readonly ObjectRef[], options: DeleteOptions): Promise<DeleteResult>;
  waitForHealthy(refs: readonly ObjectRef[], options: HealthOptions): Promise<void>;
  /** Whether an object still exists (WaitForTermination). */
  objectExists(ref: ObjectRef, options: IdentityOptions): Promise<boolean>;
}

/**
 * Chooses the cluster a Kustomization's objects live on (`spec.kubeConfig`): the apply layer of
 * the local cluster, or of the remote cluster `target` describes. There is no default: a
 * Kustomization with a kubeConfig only ever gets the remote cluster's apply layer.
 */
export interface ApplyTargets {
  select(owner: OwnerRef, target: ClusterTarget | undefined): ApplyPort;
}
