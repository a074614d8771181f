/**
 * What makes the Kustomization controller look again (flux-compat §3.4 "Watches"), as pure
 * functions and one index, so the rules are tested without a cluster: a Kustomization's
 * generation or `requestedAt` changed; a source's artifact appeared or its revision changed
 * (enqueue the Kustomizations that reference it, unless they already attempted that revision).
 */
import { type Kustomization, RECONCILE_REQUEST_ANNOTATION, sourceRefNamespace } from "../api/index.js";
import type { SourceObject } from "./ports.js";

const requested = (o: Kustomization | undefined): string | undefined =>
  o?.metadata.annotations?.[RECONCILE_REQUEST_ANNOTATION];

/** A Kustomization update that needs a reconcile (status-only updates never do). */
export function kustomizationChanged(old: Kustomization | undefined, next: Kustomization): boolean {
  if (old === undefined) return true;
  if (old.metadata.generation !== next.metadata.generation) return true;
  if (requested(old) !== requested(next)) return true;
  return old.metadata.deletionTimestamp !== next.metadata.deletionTimestamp;
}

/** The artifact revision of a source, if any. */
export function artifactRevision(source: SourceObject | undefined): string | undefined {
  return source?.status?.artifact?.revision;
}

/** A source update that should reach the Kustomizations using it. */
export function sourceRevisionChanged(old: SourceObject | undefined, next: SourceObject): boolean {
  const rev = artifactRevision(next);
  return rev !== undefined && rev !== artifactRevision(old);
}

/**
 * The same revision is now served from another URL or with another digest: a new leader stored it
 * again after a failover (issue 14). Kustomizations that failed to download the old one retry.
 */
export function sourceArtifactMoved(old: SourceObject | undefined, next: SourceObject): boolean {
  const a = old?.status?.artifact;
  const b = next.status?.artifact;
  if (a === undefined || b === undefined || a.revision !== b.revision) return false;
  return a.url !== b.url || a.digest !== b.digest;
}

/** `Kind/namespace/name` of a source. */
export function sourceId(kind: string, namespace: string, name: string): string {
  return `${kind}/${namespace}/${name}`;
}

/** Flux skips a Kustomization that is already working on (or done with) the new revision. */
export function alreadyAttempted(ks: Kustomization, revision: string): boolean {
  const ready = ks.status?.conditions?.find((c) => c.type === "Ready");
  return ks.status?.lastAttemptedRevision === revision && ready?.status !== "False";
}

/** Kustomizations by the source they reference: the secondary index of the source watch. */
export class SourceIndex {
  private readonly bySource = new Map<string, Set<string>>();
  private readonly byKey = new Map<string, string>();

  /** Records (or moves) the reference of Kustomization `key`. */
  set(key: string, ks: Kustomization): void {
    this.delete(key);
    const ref = ks.spec.sourceRef;
    const id = sourceId(ref.kind, sourceRefNamespace(ks), ref.name);
    this.byKey.set(key, id);
    let keys = this.bySource.get(id);
    if (keys === undefined) this.bySource.set(id, (keys = new Set()));
    keys.add(key);
  }

  delete(key: string): void {
    const id = this.byKey.get(key);
    if (id === undefined) return;
    this.byKey.delete(key);
    const keys = this.bySource.get(id);
    keys?.delete(key);
    if (keys?.size === 0) this.bySource.delete(id);
  }

  /** Keys of the Kustomizations referencing a source. */
  referencing(id: string): string[] {
    return [...(this.bySource.get(id) ?? [])].sort();
  }
}
