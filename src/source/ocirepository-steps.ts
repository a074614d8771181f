/**
 * The OCIRepository reconcile as Flux orders it: reconcileStorage (shared), reconcileSource,
 * reconcileArtifact, after mooring's field check. Each step's comment lists the conditions it
 * sets and clears; a failing step marks its condition and throws a classified error. Messages
 * and reasons are Flux's.
 */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import {
  ConditionType,
  OCI_REPOSITORY,
  OCI_REPOSITORY_FIELDS,
  OCI_REVISION_METADATA,
  OCI_SOURCE_METADATA,
  type OCIRepository,
  ociLayerOperation,
  ociRefStrategy,
  Reason,
  unsupportedField,
} from "../api/index.js";
import { deleteCondition, markReconciling, markTrue } from "../runtime/conditions.js";
import { GenericError, messageOf, StallingError } from "../runtime/errors.js";
import { extractTarGz } from "../util/safe-extract.js";
import {
  artifactTime,
  failOn,
  reconcileStorage as reconcileStorageOf,
  recordArtifact,
  withStatus,
  withoutStatus,
} from "./artifact-steps.js";
import { loadIgnoreMatcher } from "./ignore.js";
import { digestOfRevision, ociRevision, selectOciTag, validDigest } from "./oci/reference.js";
import type { Descriptor, RegistryTarget } from "./oci/registry-client.js";
import { ociContentConfigChanged, type OCIRepositoryDeps, type RunState } from "./ocirepository-state.js";
import { registryTarget } from "./ocirepository-auth.js";
import { revisionsEqual } from "./revision.js";

const DEFAULT_MAX_EXTRACT_BYTES = 1024 * 1024 * 1024;

/** Mooring's first step: a spec field mooring does not implement stalls before any work. */
export function reconcileFieldSupport(_deps: OCIRepositoryDeps, s: RunState): Promise<void> {
  const stall = unsupportedField(s.obj, OCI_REPOSITORY_FIELDS);
  if (stall !== undefined) return Promise.reject(new StallingError(stall.reason, stall.message));
  return Promise.resolve();
}

/** The shared storage step (artifact-steps.ts). */
export const reconcileStorage = reconcileStorageOf<OCIRepository>;

const fetchError = (s: RunState, reason: string, message: string, err: unknown): never =>
  failOn(
    s,
    ConditionType.FetchFailed,
    new GenericError(reason, message, { cause: err, secrets: s.secrets }),
    reason,
  );

/** Flux's precedence: digest, semver (+ filter) over the tag list, tag, `latest`. */
async function resolveTag(
  deps: OCIRepositoryDeps,
  s: RunState,
  t: RegistryTarget,
): Promise<string | undefined> {
  const strategy = ociRefStrategy(s.obj.spec.ref);
  if (strategy.kind === "digest") return undefined;
  if (strategy.kind === "tag") return strategy.tag;
  try {
    return selectOciTag(strategy.range, strategy.filter, await deps.registry.listTags(t));
  } catch (err) {
    const message = `failed to determine the artifact tag for '${s.obj.spec.url}': ${messageOf(err)}`;
    return fetchError(s, Reason.ReadOperationFailed, message, err);
  }
}

/** The revision to pull: `<tag>@<digest>` from one manifest HEAD, or the digest of `ref.digest`. */
async function resolveRevision(deps: OCIRepositoryDeps, s: RunState, t: RegistryTarget): Promise<string> {
  const tag = await resolveTag(deps, s, t);
  const digest = s.obj.spec.ref?.digest;
  if (tag === undefined && digest !== undefined) {
    if (validDigest(digest)) return ociRevision(undefined, digest);
    const message = `failed to determine artifact digest: invalid digest '${digest}': expected sha256:<64 hex characters>`;
    throw new StallingError(Reason.OCIArtifactPullFailed, message);
  }
  try {
    return ociRevision(tag, await deps.registry.resolveDigest(t, tag!));
  } catch (err) {
    return fetchError(
      s,
      Reason.OCIArtifactPullFailed,
      `failed to determine artifact digest: ${messageOf(err)}`,
      err,
    );
  }
}

/** ArtifactOutdated (when an older artifact exists) and Reconciling for a new revision. */
function markNewRevision(s: RunState, revision: string): void {
  const artifact = s.obj.status?.artifact;
  if (artifact !== undefined && revisionsEqual(artifact.revision, revision)) return;
  const message = `new revision '${revision}' for '${s.obj.spec.url}'`;
  const now = s.ctx.now();
  if (artifact !== undefined)
    s.obj = markTrue(s.obj, ConditionType.ArtifactOutdated, { reason: Reason.NewRevision, message, now });
  s.obj = markReconciling(s.obj, {
    reason: Reason.Progressing,
    message: `building artifact: ${message}`,
    now,
  });
}

/**
 * Credentials and transport, the revision (one manifest HEAD for a tag), the no-op shortcut,
 * then the pull of the selected layer into the work directory.
 * Sets: FetchFailed on failure (Stalled for an invalid URL); ArtifactOutdated + Reconciling on a
 * new revision. Clears: FetchFailed.
 */
export async function reconcileSource(deps: OCIRepositoryDeps, s: RunState): Promise<void> {
  const t = await registryTarget(deps, s);
  s.target = t;
  const revision = await resolveRevision(deps, s, t);
  s.revision = revision;
  markNewRevision(s, revision);
  const artifact = s.obj.status?.artifact;
  if (
    artifact !== undefined &&
    revisionsEqual(artifact.revision, revision) &&
    !ociContentConfigChanged(s.obj)
  ) {
    s.noop = true;
    s.obj = deleteCondition(s.obj, ConditionType.FetchFailed);
    return;
  }
  await pull(deps, s, t, digestOfRevision(revision));
  s.obj = deleteCondition(s.obj, ConditionType.FetchFailed);
}

/** The layer `layerSelector.mediaType` names, else the first. */
function selectLayer(obj: OCIRepository, layers: readonly Descriptor[]): Descriptor {
  if (layers.length === 0) throw new Error("no layers found in artifact");
  const mediaType = obj.spec.layerSelector?.mediaType;
  if (mediaType === undefined || mediaType === "") return layers[0]!;
  const layer = layers.find((l) => l.mediaType === mediaType);
  if (layer === undefined) throw new Error(`failed to find layer with media type '${mediaType}' in artifact`);
  return layer;
}

async function pull(deps: OCIRepositoryDeps, s: RunState, t: RegistryTarget, digest: string): Promise<void> {
  let layers: Descriptor[];
  try {
    const manifest = await deps.registry.imageManifest(t, digest);
    s.annotations = manifest.annotations ?? {};
    layers = manifest.layers ?? [];
  } catch (err) {
    return fetchError(
      s,
      Reason.OCIArtifactPullFailed,
      `failed to pull artifact from '${s.obj.spec.url}': ${messageOf(err)}`,
      err,
    );
  }
  const blob = join(s.workDir, "layer.blob");
  try {
    const layer = selectLayer(s.obj, layers);
    await deps.registry.downloadBlob(t, layer.digest, blob);
  } catch (err) {
    return fetchError(s, Reason.OCIArtifactLayerOperationFailed, messageOf(err), err);
  }
  if (ociLayerOperation(s.obj.spec) === "copy") {
    s.content = { kind: "file", path: blob };
    return;
  }
  const dir = join(s.workDir, "content");
  try {
    await mkdir(dir);
    await extractTarGz(blob, dir, deps.options.maxExtractBytes ?? DEFAULT_MAX_EXTRACT_BYTES);
  } catch (err) {
    const message = `failed to extract layer contents from artifact: ${messageOf(err)}`;
    return fetchError(s, Reason.OCIArtifactLayerOperationFailed, message, err);
  }
  s.content = { kind: "directory", path: dir };
}

/**
 * Stores the pulled content (archived with the ignore rules, or the layer as it is for `copy`)
 * unless nothing changed, and records the artifact, its metadata and the observed spec.
 * Sets: ArtifactInStorage. Clears: ArtifactOutdated, StorageOperationFailed.
 * On failure: StorageOperationFailed (ArchiveOperationFailed).
 */
export async function reconcileArtifact(deps: OCIRepositoryDeps, s: RunState): Promise<void> {
  const revision = s.revision!;
  await recordArtifact(s, () => writeArtifact(deps, s, revision), {
    stored: `stored artifact for digest '${revision}'`,
    newArtifact: newArtifactMessage,
  });
}

/** Flux's NewArtifact message, with the origin when the artifact names it. */
function newArtifactMessage(obj: OCIRepository): string {
  const artifact = obj.status!.artifact!;
  const base = `stored artifact with revision '${artifact.revision}' from '${obj.spec.url}'`;
  const source = artifact.metadata?.[OCI_SOURCE_METADATA];
  const origin = artifact.metadata?.[OCI_REVISION_METADATA];
  return source && origin ? `${base}, origin source '${source}', origin revision '${origin}'` : base;
}

async function writeArtifact(deps: OCIRepositoryDeps, s: RunState, revision: string): Promise<void> {
  const namespace = s.obj.metadata.namespace ?? "";
  const name = s.obj.metadata.name ?? "";
  const file = `${digestOfRevision(revision)}.tar.gz`;
  const path = deps.storage.artifactPath(OCI_REPOSITORY.kind, namespace, name, file);
  await deps.storage.ensureDir(path.slice(0, path.lastIndexOf("/")));
  const release = await deps.storage.lock(path);
  try {
    const content = s.content!;
    const { digest, size } =
      content.kind === "file"
        ? await deps.storage.storeFile(content.path, path)
        : await deps.storage.archive(
            content.path,
            path,
            await loadIgnoreMatcher(content.path, s.obj.spec.ignore),
          );
    const spec = s.obj.spec;
    s.obj = withoutStatus(s.obj, "observedIgnore", "observedLayerSelector");
    s.obj = withStatus(s.obj, {
      artifact: {
        path,
        url: deps.storage.url(path),
        revision,
        digest,
        size,
        lastUpdateTime: artifactTime(s.ctx.now()),
        ...(s.annotations === undefined || Object.keys(s.annotations).length === 0
          ? {}
          : { metadata: s.annotations }),
      },
      ...(spec.ignore === undefined ? {} : { observedIgnore: spec.ignore }),
      ...(spec.layerSelector === undefined ? {} : { observedLayerSelector: spec.layerSelector }),
    });
  } finally {
    await release();
  }
}
