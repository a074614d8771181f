/**
 * The inputs of an ArtifactGenerator as source-watcher sees them: each alias's current artifact
 * (digest, revision, origin revision, URL), a digest over all of them that says whether anything
 * changed since the outputs were built, and the revisions an output takes from them.
 */
import { createHash } from "node:crypto";
import {
  type Artifact,
  type ArtifactGenerator,
  type GeneratorSourceReference,
  OCI_REVISION_METADATA,
} from "../api/index.js";

/** What an alias's source offered at observation time. */
export interface ObservedSource {
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly digest: string;
  readonly revision: string;
  /** `org.opencontainers.image.revision` of the source's artifact, when it has one. */
  readonly originRevision?: string;
  readonly url: string;
  /** The artifact itself, to download. */
  readonly artifact: Artifact;
}

/** Namespace of a source reference: its own, else the generator's. */
export function sourceNamespace(ref: GeneratorSourceReference, ag: ArtifactGenerator): string {
  return ref.namespace || (ag.metadata.namespace ?? "");
}

/** The observed source of `ref` from its artifact. */
export function observe(
  ref: GeneratorSourceReference,
  namespace: string,
  artifact: Artifact,
): ObservedSource {
  const origin = artifact.metadata?.[OCI_REVISION_METADATA];
  return {
    kind: ref.kind,
    namespace,
    name: ref.name,
    digest: artifact.digest,
    revision: artifact.revision,
    ...(origin === undefined ? {} : { originRevision: origin }),
    url: artifact.url,
    artifact,
  };
}

/**
 * source-watcher's `HashObservedSources`: sha256 over `alias=[digest=…,revision=…,url=…]` lines,
 * sorted and joined with `|`. Written to `status.observedSourcesDigest`.
 */
export function hashObservedSources(sources: ReadonlyMap<string, ObservedSource>): string {
  const parts = [...sources].map(
    ([alias, s]) => `${alias}=[digest=${s.digest},revision=${s.revision},url=${s.url}]`,
  );
  parts.sort();
  return `sha256:${createHash("sha256").update(parts.join("|")).digest("hex")}`;
}

const aliasOf = (ref: string | undefined): string | undefined =>
  ref === undefined || ref === "" ? undefined : ref.replace(/^@/, "");

/**
 * The artifact with source-watcher's revision rules: `revision: @alias` takes that source's
 * revision instead of `latest@<digest>`; `originRevision: @alias` records that source's origin
 * revision (or, lacking one, its revision) as `org.opencontainers.image.revision`.
 */
export function withRevisions(
  artifact: Artifact,
  output: { revision?: string; originRevision?: string },
  sources: ReadonlyMap<string, ObservedSource>,
): Artifact {
  let out = artifact;
  const revisionFrom = sources.get(aliasOf(output.revision) ?? "");
  if (revisionFrom !== undefined) out = { ...out, revision: revisionFrom.revision };
  const originFrom = sources.get(aliasOf(output.originRevision) ?? "");
  if (originFrom !== undefined) {
    const origin = originFrom.originRevision ?? originFrom.revision;
    out = { ...out, metadata: { ...out.metadata, [OCI_REVISION_METADATA]: origin } };
  }
  return out;
}
