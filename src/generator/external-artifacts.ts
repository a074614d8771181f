/**
 * Writing and removing a generator's ExternalArtifacts. Each output becomes one ExternalArtifact
 * named after it, in the generator's namespace, labelled with the generator's UID, pointing back
 * at it through `spec.sourceRef` and an owner reference, with the built artifact in its status.
 * An unchanged artifact (same digest, revision, URL and metadata) leaves the status untouched, so
 * consumers see no update at all.
 */
import { basename } from "node:path";
import {
  ARTIFACT_GENERATOR,
  ARTIFACT_GENERATOR_LABEL,
  type Artifact,
  type ArtifactGenerator,
  EXTERNAL_ARTIFACT,
  type ExternalArtifact,
  type ExternalArtifactReference,
  type OutputArtifact,
  Reason,
  SOURCE_WATCHER_MANAGER,
} from "../api/index.js";
import { formatTime } from "../runtime/conditions.js";
import type { ArtifactStorage } from "../source/storage.js";
import type { GeneratorClient } from "./client.js";

/** The ExternalArtifact (metadata and spec) for one output of `ag`. */
export function desiredExternalArtifact(
  ag: ArtifactGenerator,
  output: OutputArtifact,
  captured: Readonly<Record<string, string>> = {},
): ExternalArtifact {
  const common = ag.spec.commonMetadata;
  const labels = {
    ...common?.labels,
    ...captured,
    "app.kubernetes.io/managed-by": SOURCE_WATCHER_MANAGER,
    [ARTIFACT_GENERATOR_LABEL]: ag.metadata.uid ?? "",
  };
  const annotations = common?.annotations;
  return {
    apiVersion: EXTERNAL_ARTIFACT.apiVersion,
    kind: EXTERNAL_ARTIFACT.kind,
    metadata: {
      name: output.name,
      namespace: ag.metadata.namespace ?? "",
      labels,
      ...(annotations === undefined || Object.keys(annotations).length === 0 ? {} : { annotations }),
      ownerReferences: [
        {
          apiVersion: ARTIFACT_GENERATOR.apiVersion,
          kind: ARTIFACT_GENERATOR.kind,
          name: ag.metadata.name ?? "",
          uid: ag.metadata.uid ?? "",
          controller: true,
        },
      ],
    },
    spec: {
      sourceRef: {
        apiVersion: ARTIFACT_GENERATOR.apiVersion,
        kind: ARTIFACT_GENERATOR.kind,
        name: ag.metadata.name ?? "",
        namespace: ag.metadata.namespace ?? "",
      },
    },
  };
}

const sameMetadata = (a: Artifact["metadata"], b: Artifact["metadata"]): boolean =>
  JSON.stringify(Object.entries(a ?? {}).sort()) === JSON.stringify(Object.entries(b ?? {}).sort());

/** Whether the stored artifact already says what `next` says (the update time aside). */
function unchanged(stored: ExternalArtifact, next: Artifact): boolean {
  const current = stored.status?.artifact;
  const ready = stored.status?.conditions?.find((c) => c.type === "Ready");
  return (
    current !== undefined &&
    ready?.status === "True" &&
    current.digest === next.digest &&
    current.revision === next.revision &&
    current.url === next.url &&
    current.path === next.path &&
    sameMetadata(current.metadata, next.metadata)
  );
}

/**
 * Applies the ExternalArtifact of `output` and, when the artifact changed, its status. Returns
 * the inventory entry. Errors are the API server's.
 */
export async function reconcileExternalArtifact(
  client: GeneratorClient,
  ag: ArtifactGenerator,
  built: {
    readonly output: OutputArtifact;
    readonly artifact: Artifact;
    /** `spec.pathPattern` captures, as labels. */
    readonly labels?: Readonly<Record<string, string>>;
  },
  now: Date,
): Promise<ExternalArtifactReference> {
  const { output, artifact } = built;
  const stored = await client.applyExternalArtifact(desiredExternalArtifact(ag, output, built.labels));
  if (!unchanged(stored, artifact)) {
    const condition = {
      type: "Ready",
      status: "True" as const,
      observedGeneration: stored.metadata.generation ?? 1,
      lastTransitionTime: formatTime(now),
      reason: Reason.Succeeded,
      message: "Artifact is ready",
    };
    await client.patchExternalArtifactStatus({ ...stored, status: { artifact, conditions: [condition] } });
  }
  return {
    name: output.name,
    namespace: ag.metadata.namespace ?? "",
    digest: artifact.digest,
    filename: basename(artifact.path),
  };
}

/** Deletes the ExternalArtifacts of `refs` and everything stored for them. */
export async function removeExternalArtifacts(
  refs: readonly ExternalArtifactReference[],
  deps: { readonly client: GeneratorClient; readonly storage: ArtifactStorage },
): Promise<void> {
  for (const ref of refs) {
    await deps.storage.removeAll(EXTERNAL_ARTIFACT.kind, ref.namespace, ref.name);
    await deps.client.deleteExternalArtifact({ namespace: ref.namespace, name: ref.name });
  }
}
