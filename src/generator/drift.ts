/**
 * source-watcher's drift check: whether the stored outputs still match what the generator asks
 * for. When nothing drifted a reconcile does no work at all: no download, no build, no write.
 */
import { type ArtifactGenerator, EXTERNAL_ARTIFACT } from "../api/index.js";
import { getCondition, READY } from "../runtime/conditions.js";
import type { ArtifactStorage } from "../source/storage.js";
import type { GeneratorClient } from "./client.js";

/** Why outputs must be rebuilt, in source-watcher's words, or undefined when nothing drifted. */
export type DriftReason =
  | "NotReady"
  | "GenerationChanged"
  | "SourcesChanged"
  | "ArtifactsChanged"
  | "ArtifactMissing"
  | "ArtifactCorrupted"
  | "ExternalArtifactsChanged";

type DriftDeps = { readonly client: GeneratorClient; readonly storage: ArtifactStorage };

/** The first drift found, in source-watcher's order; undefined when the outputs are current. */
export async function detectDrift(
  ag: ArtifactGenerator,
  sourcesDigest: string,
  deps: DriftDeps,
): Promise<DriftReason | undefined> {
  const ready = getCondition(ag, READY);
  if (ready?.status === "False") return "NotReady";
  if (ready?.observedGeneration !== ag.metadata.generation) return "GenerationChanged";
  if (ag.status?.observedSourcesDigest !== sourcesDigest) return "SourcesChanged";
  const counted = (ag.spec.pathPattern ?? "") === "";
  if (counted && (ag.status?.inventory ?? []).length !== ag.spec.artifacts.length) return "ArtifactsChanged";
  return (await storageDrift(ag, deps)) ?? clusterDrift(ag, deps.client);
}

/** A listed file missing, or not matching its digest (then it is removed, as source-watcher does). */
async function storageDrift(ag: ArtifactGenerator, deps: DriftDeps): Promise<DriftReason | undefined> {
  for (const ref of ag.status?.inventory ?? []) {
    const path = deps.storage.artifactPath(EXTERNAL_ARTIFACT.kind, ref.namespace, ref.name, ref.filename);
    if (!(await deps.storage.exists(path))) return "ArtifactMissing";
    if (!(await deps.storage.verify(path, ref.digest))) {
      await deps.storage.removeFile(path);
      return "ArtifactCorrupted";
    }
  }
  return undefined;
}

/** The labelled ExternalArtifacts in the cluster are not exactly the inventory. */
function clusterDrift(ag: ArtifactGenerator, client: GeneratorClient): DriftReason | undefined {
  const inventory = ag.status?.inventory ?? [];
  const inCluster = client.listGenerated(ag.metadata.namespace ?? "", ag.metadata.uid ?? "");
  const listed = (name: string | undefined, digest: string | undefined): boolean =>
    inventory.some((r) => r.name === name && r.digest === digest);
  if (inCluster.length !== inventory.length) return "ExternalArtifactsChanged";
  return inCluster.every((ea) => listed(ea.metadata.name, ea.status?.artifact?.digest))
    ? undefined
    : "ExternalArtifactsChanged";
}
