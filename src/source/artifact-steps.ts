/**
 * Steps and helpers every source kind shares: `failOn` (mark the step's condition and throw a
 * classified error), `reconcileStorage` (GC, then is the advertised artifact still there and
 * intact?) and status edits. Kind-specific steps live in `<kind>-steps.ts`.
 */
import { type Artifact, ConditionType, EVENT_METADATA, Reason, SOURCE_GROUP } from "../api/index.js";
import { deleteCondition, markReconciling, markTrue } from "../runtime/conditions.js";
import { findReconcileError, GenericError, messageOf } from "../runtime/errors.js";
import type { SourceObject, SourceRun } from "./source-reconciler.js";
import type { ArtifactStorage } from "./storage.js";

/** Marks `type` True with the error's reason and message, then throws a classified error. */
export function failOn<T extends SourceObject>(
  s: SourceRun<T>,
  type: string,
  err: unknown,
  fallbackReason: string,
): never {
  const known = findReconcileError(err);
  const e = known ?? new GenericError(fallbackReason, messageOf(err), { cause: err, secrets: s.secrets });
  s.obj = markTrue(s.obj, type, { reason: e.reason, message: e.message, now: s.ctx.now() });
  throw known === undefined ? e : err;
}

/** `status` with `patch` merged in. */
export function withStatus<T extends SourceObject>(obj: T, patch: Partial<NonNullable<T["status"]>>): T {
  return { ...obj, status: { ...obj.status, ...patch } };
}

/** `status` without the given keys. */
export function withoutStatus<T extends SourceObject>(
  obj: T,
  ...keys: (keyof NonNullable<T["status"]>)[]
): T {
  const status = { ...obj.status } as Record<PropertyKey, unknown>;
  for (const k of keys) delete status[k];
  return { ...obj, status };
}

/**
 * Garbage-collects old artifacts and checks the advertised one is still there and intact.
 * Sets: Reconciling (no artifact / disappeared). Clears: ArtifactInStorage when the file is gone.
 * On failure: StorageOperationFailed.
 */
export async function reconcileStorage<T extends SourceObject>(
  deps: { readonly storage: ArtifactStorage },
  s: SourceRun<T>,
): Promise<void> {
  const artifact = s.obj.status?.artifact;
  try {
    const disappeared = artifact !== undefined && !(await storedArtifactIntact(deps.storage, s, artifact));
    if (disappeared) {
      s.obj = deleteCondition(withoutStatus(s.obj, "artifact"), ConditionType.ArtifactInStorage);
    }
    const current = s.obj.status?.artifact;
    if (current === undefined) {
      const message = `building artifact${disappeared ? ": disappeared from storage" : ""}`;
      s.obj = markReconciling(s.obj, { reason: Reason.Progressing, message, now: s.ctx.now() });
      return;
    }
    const patch = { artifact: { ...current, url: deps.storage.url(current.path) } };
    s.obj = withStatus(s.obj, patch as Partial<NonNullable<T["status"]>>);
    s.obj = deleteCondition(s.obj, ConditionType.StorageOperationFailed);
  } catch (err) {
    failOn(s, ConditionType.StorageOperationFailed, err, Reason.StatOperationFailed);
  }
}

/** GC, then: is the advertised file there with its digest? A corrupt file is deleted. */
async function storedArtifactIntact<T extends SourceObject>(
  storage: ArtifactStorage,
  s: SourceRun<T>,
  artifact: Artifact,
): Promise<boolean> {
  await collectGarbage(storage, s, artifact.path);
  if (!(await storage.exists(artifact.path))) return false;
  if (await storage.verify(artifact.path, artifact.digest)) return true;
  s.events.push({
    type: "Warning",
    reason: Reason.ArtifactVerificationFailed,
    message: `failed to verify integrity of artifact: digest mismatch for '${artifact.path}'`,
  });
  await storage.removeFile(artifact.path);
  return false;
}

async function collectGarbage<T extends SourceObject>(
  storage: ArtifactStorage,
  s: SourceRun<T>,
  current: string,
): Promise<void> {
  try {
    const deleted = await storage.garbageCollect(current);
    if (deleted.length > 0)
      s.ctx.log.debug({ deleted: deleted.length }, `garbage collected ${deleted.length} artifacts`);
  } catch (err) {
    s.events.push({
      type: "Warning",
      reason: Reason.GarbageCollectionFailed,
      message: `garbage collection of artifacts failed: ${messageOf(err)}`,
    });
  }
}

/** How a kind words its artifact step. */
export interface ArtifactStepWording<T extends SourceObject> {
  /** ArtifactInStorage's message. */
  readonly stored: string;
  /** The NewArtifact event's message, from the object with its new artifact. */
  newArtifact(obj: T): string;
}

/**
 * The shared end of every kind's artifact step: `write` stores a new artifact unless nothing
 * changed (`noop`), then ArtifactInStorage, and a NewArtifact event when the digest moved.
 * Sets: ArtifactInStorage. Clears: ArtifactOutdated, StorageOperationFailed.
 * On failure: StorageOperationFailed (ArchiveOperationFailed).
 */
export async function recordArtifact<T extends SourceObject>(
  s: SourceRun<T> & { readonly noop: boolean },
  write: () => Promise<void>,
  wording: ArtifactStepWording<T>,
): Promise<void> {
  const previous = s.obj.status?.artifact;
  if (!s.noop) {
    try {
      await write();
    } catch (err) {
      failOn(s, ConditionType.StorageOperationFailed, err, Reason.ArchiveOperationFailed);
    }
  }
  const artifact = s.obj.status!.artifact!;
  s.obj = deleteCondition(
    deleteCondition(s.obj, ConditionType.ArtifactOutdated),
    ConditionType.StorageOperationFailed,
  );
  s.obj = markTrue(s.obj, ConditionType.ArtifactInStorage, {
    reason: Reason.Succeeded,
    message: wording.stored,
    now: s.ctx.now(),
  });
  if (previous?.digest === artifact.digest) return;
  s.events.push({
    type: "Normal",
    reason: Reason.NewArtifact,
    message: wording.newArtifact(s.obj),
    metadata: {
      [EVENT_METADATA.sourceRevision]: artifact.revision,
      [`${SOURCE_GROUP}/digest`]: artifact.digest,
    },
  });
}

/** The artifact's `lastUpdateTime`: now, to the second, as Flux writes it. */
export function artifactTime(now: Date): string {
  return now.toISOString().replace(/\.\d+Z$/, "Z");
}
