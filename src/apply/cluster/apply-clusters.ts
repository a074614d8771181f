/**
 * One {@link ApplyManager} per cluster a Kustomization applies to (issue 15, `spec.kubeConfig`).
 *
 * The local cluster's manager is built by the composition root; a remote cluster's is built the
 * first time a Kustomization uses its kubeconfig, keyed by the kubeconfig's content, so every
 * Kustomization pointing at the same cluster with the same credentials shares one connection
 * pool, one discovery cache and one owned-object watch per kind. Each manager talks through the
 * runtime's shared transport of its own KubeConfig. A remote manager is closed (watches stopped,
 * connections closed) when the last Kustomization using it moves away or is deleted.
 */
import type { KubeConfig } from "../../runtime/kubeconfig/index.js";
import type { ApplyManager } from "./apply-manager.js";
import type { DriftListener, OwnerRef } from "./types.js";

/** A remote cluster as the apply layer needs it: a cache key and the credentials. */
export interface ClusterTarget {
  /** Equal keys share one manager (a hash of the kubeconfig's content). */
  readonly key: string;
  readonly kubeConfig: KubeConfig;
}

interface Remote {
  readonly manager: ApplyManager;
  readonly users: Set<string>;
  readonly unsubscribe: () => void;
}

const ownerKey = (o: OwnerRef): string => `${o.namespace}/${o.name}`;

/** The apply managers of the local cluster and of every remote cluster in use. */
export class ApplyClusters {
  private readonly remotes = new Map<string, Remote>();
  /** Which remote each Kustomization uses (absent: the local cluster). */
  private readonly usedBy = new Map<string, string>();
  private readonly listeners = new Set<DriftListener>();
  private readonly unsubscribeLocal: () => void;

  /**
   * @param local the local cluster's manager (owned by the caller for construction, closed here)
   * @param create builds a manager for a remote cluster's KubeConfig (same options as the local)
   */
  constructor(
    readonly local: ApplyManager,
    private readonly create: (kubeConfig: KubeConfig) => ApplyManager,
  ) {
    this.unsubscribeLocal = local.onDrift((e) => this.emit(e));
  }

  /**
   * The manager for `owner`'s objects: the local one when `target` is undefined, else the remote
   * cluster's (built on first use). Records `owner` as its user, releasing what it used before.
   */
  select(owner: OwnerRef, target: ClusterTarget | undefined): ApplyManager {
    const key = ownerKey(owner);
    const before = this.usedBy.get(key);
    if (before !== target?.key) this.release(owner);
    if (target === undefined) return this.local;
    // Records of objects it applied here before it moved to a remote cluster are stale.
    if (before === undefined) this.local.forget(owner);
    let remote = this.remotes.get(target.key);
    if (remote === undefined) {
      const manager = this.create(target.kubeConfig);
      remote = { manager, users: new Set(), unsubscribe: manager.onDrift((e) => this.emit(e)) };
      this.remotes.set(target.key, remote);
    }
    remote.users.add(key);
    this.usedBy.set(key, target.key);
    return remote.manager;
  }

  /** The number of remote clusters with a live manager (tests). */
  get remoteCount(): number {
    return this.remotes.size;
  }

  /** Subscribes to drift on every cluster, present and future. */
  onDrift(listener: DriftListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** A Kustomization is gone: forget its records everywhere and release its remote cluster. */
  forget(owner: OwnerRef): void {
    this.local.forget(owner);
    this.release(owner);
  }

  /** Closes every manager. */
  async close(): Promise<void> {
    this.unsubscribeLocal();
    const remotes = [...this.remotes.values()];
    this.remotes.clear();
    this.usedBy.clear();
    for (const r of remotes) r.unsubscribe();
    await Promise.all([this.local.close(), ...remotes.map((r) => r.manager.close())]);
  }

  /** Drops `owner` from the remote it used; the last user closes it. */
  private release(owner: OwnerRef): void {
    const key = ownerKey(owner);
    const used = this.usedBy.get(key);
    this.usedBy.delete(key);
    const remote = used === undefined ? undefined : this.remotes.get(used);
    if (used === undefined || remote === undefined) return;
    remote.manager.forget(owner);
    remote.users.delete(key);
    if (remote.users.size > 0) return;
    this.remotes.delete(used);
    remote.unsubscribe();
    void remote.manager.close();
  }

  private emit(event: Parameters<DriftListener>[0]): void {
    for (const l of this.listeners) l(event);
  }
}
