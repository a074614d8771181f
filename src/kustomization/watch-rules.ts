/**
 * What makes the Kustomization controller look again (flux-compat §3.4 "Watches"), as pure
 * functions, so the rules are tested without a cluster: a Kustomization's
 * generation, `requestedAt` or a `mooring.dev/` annotation changed; a source's artifact appeared or its revision changed
 * (enqueue the Kustomizations that reference it, unless they already attempted that revision).
 */
import {
  isMooringKey,
  type Kustomization,
  RECONCILE_REQUEST_ANNOTATION,
  sourceRefNamespace,
} from "../api/index.js";
import type { SourceObject } from "./ports.js";

const requested = (o: Kustomization | undefined): string | undefined =>
  o?.metadata.annotations?.[RECONCILE_REQUEST_ANNOTATION];

/** The `mooring.dev/` annotations of a Kustomization, as one comparable string. */
const mooringAnnotations = (o: Kustomization): string =>
  JSON.stringify(
    Object.entries(o.metadata.annotations ?? {})
      .filter(([k]) => isMooringKey(k))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );

/**
 * A Kustomization update that needs a reconcile (status-only updates never do). mooring's own
 * annotations (e.g. `mooring.dev/allow-empty`) change behaviour without a generation bump, so a
 * change to one of them reconciles at once rather than at the next interval.
 */
export function kustomizationChanged(old: Kustomization | undefined, next: Kustomization): boolean {
  if (old === undefined) return true;
  if (old.metadata.generation !== next.metadata.generation) return true;
  if (requested(old) !== requested(next)) return true;
  if (mooringAnnotations(old) !== mooringAnnotations(next)) return true;
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

/**
 * The source a Kustomization references (`Kind/namespace/name`, the namespace defaulted to the
 * Kustomization's): the index of the Kustomization cache that maps a source event to its users.
 */
export function referencedSource(ks: Kustomization): string[] {
  return [sourceId(ks.spec.sourceRef.kind, sourceRefNamespace(ks), ks.spec.sourceRef.name)];
}
