/**
 * Applying one prepared object the way Flux does (flux-compat §4.2–4.4): skip by policy, dry-run,
 * recreate on immutable-field errors when forced, take over kubectl's managedFields, apply only
 * when drifted. In front of that sits mooring's cheap path: an object whose rendered hash and
 * live state are known unchanged costs no request at all.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { DRIFT_MODE } from "../../api/mooring.js";
import { applyPolicy, shouldForceRecreate } from "../annotations.js";
import { changeSetEntry, type ChangeSetEntry } from "../changeset.js";
import { driftAction } from "../drift.js";
import { objectDriftMode } from "../drift-mode.js";
import { applyDriftedPaths, driftedPaths } from "../drifted-paths.js";
import { isImmutableError } from "../immutable.js";
import { objectId } from "../inventory.js";
import { cleanupPatch, type CleanupOptions } from "../takeover.js";
import { computeStatus } from "../health/kstatus.js";
import { formatObject } from "../../util/kube-object.js";
import { objMetadataOf, type KubeObject } from "../types.js";
import { correctionOf, detectionOf, type DriftInput } from "./drift-record.js";
import { ApplyError, dryRunFailedMessage, errorText } from "./errors.js";
import { renderedHash } from "./fingerprint.js";
import { refOf, type ObjectClient } from "./object-client.js";
import type { OwnedObjects } from "./owned-objects.js";
import type { ApplyOptions, ObjectDrift } from "./types.js";

/** Mutable counters of one run. */
export interface MutableStats {
  cacheHits: number;
  gets: number;
  dryRuns: number;
  applies: number;
  cleanupPatches: number;
  recreated: number;
}

/** What applying one object needs. */
export interface ApplyContext {
  readonly client: ObjectClient;
  readonly owned: OwnedObjects | undefined;
  readonly fieldManager: string;
  readonly cleanup: CleanupOptions;
  readonly options: ApplyOptions;
  readonly stats: MutableStats;
  /** Ids of objects decided from the cache in this run. */
  readonly cacheHits: Set<string>;
  /** False when this run must not decide objects from the cache (a verifying run, or RBAC doubt). */
  readonly useCache: boolean;
  /** Drift corrected (after the apply succeeded) or detected in this run, in no particular order. */
  readonly drift: ObjectDrift[];
  /** See {@link ApplyResult.currentWhenApplied}. */
  readonly currentWhenApplied: Set<string>;
}

/** Tells the user how to get past an immutable-field error. */
export function forceHint(subject: string): string {
  return (
    `${subject} has immutable fields that changed; to recreate it, set 'spec.force: true' on the ` +
    `Kustomization or annotate the object with 'kustomize.toolkit.fluxcd.io/force: enabled'`
  );
}

async function waitGone(ctx: ApplyContext, obj: KubeObject, uid: string | undefined): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const live = await ctx.client.get(refOf(obj), ctx.options.signal);
    if (live === undefined || live.metadata.uid !== uid) return;
    await sleep(500);
  }
  throw new Error(`${formatObject(obj)} was not deleted within 60s`);
}

/** The dry-run result, recreating the object first when its immutable fields changed and force allows it. */
async function dryRun(
  ctx: ApplyContext,
  obj: KubeObject,
  live: KubeObject | undefined,
  mayRecreate: boolean,
): Promise<{ dry: KubeObject; live: KubeObject | undefined }> {
  const apply = (): Promise<KubeObject> =>
    ctx.client.apply(obj, { fieldManager: ctx.fieldManager, dryRun: true, signal: ctx.options.signal });
  ctx.stats.dryRuns++;
  try {
    return { dry: await apply(), live };
  } catch (err) {
    const subject = formatObject(obj);
    const message = dryRunFailedMessage(subject, (obj.metadata.namespace ?? "") !== "", err);
    if (live === undefined || !isImmutableError(err) || !mayRecreate)
      throw new Error(message, { cause: err });
    if (!shouldForceRecreate(ctx.options.force === true, obj, live)) {
      throw new Error(`${message}. ${forceHint(subject)}`, { cause: err });
    }
    await step(obj, "delete for recreation", async () => {
      await ctx.client.delete(refOf(obj), live.metadata.uid);
      await waitGone(ctx, obj, live.metadata.uid);
    });
    ctx.stats.recreated++;
    ctx.stats.dryRuns++;
    return { dry: await apply(), live: undefined };
  }
}

/**
 * The outcome of the first phase for one object: decided (skipped, unchanged) or to be applied.
 * Like Flux, a stage applies nothing until every object's dry-run has succeeded.
 */
export interface Plan {
  readonly obj: KubeObject;
  readonly id: string;
  readonly hash: string;
  readonly entry: ChangeSetEntry;
  /** The payload to apply; undefined when the object is decided without an apply. */
  readonly payload?: KubeObject;
  /** Whether the object is pending in the owned-object cache (settle after phase 2). */
  readonly pending: boolean;
  /** The drift this plan's apply corrects, recorded once the apply succeeded. */
  readonly drift?: ObjectDrift | undefined;
}

/** Runs one request step, naming the object and the step in the error. */
async function step<T>(obj: KubeObject, what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    throw new Error(`${formatObject(obj)} ${what} failed: ${errorText(err)}`, { cause: err });
  }
}

interface Checked {
  readonly entry: ChangeSetEntry;
  readonly live: KubeObject | undefined;
  readonly payload?: KubeObject;
  /** Corrected by the payload's apply, or (without payload) detected and left in place. */
  readonly drift?: ObjectDrift | undefined;
}

/**
 * GETs the live object. A failed GET (often Forbidden under impersonation) is reported as Flux
 * reports it: Flux ignores the GET error and the dry-run's error names the problem (issue 15);
 * only when that dry-run succeeds is the GET error itself thrown.
 */
async function getLive(ctx: ApplyContext, obj: KubeObject): Promise<KubeObject | undefined> {
  ctx.stats.gets++;
  try {
    return await ctx.client.get(refOf(obj), ctx.options.signal);
  } catch (err) {
    ctx.stats.dryRuns++;
    await ctx.client
      .apply(obj, { fieldManager: ctx.fieldManager, dryRun: true, signal: ctx.options.signal })
      .catch((dryErr: unknown) => {
        const message = dryRunFailedMessage(formatObject(obj), (obj.metadata.namespace ?? "") !== "", dryErr);
        throw new Error(message, { cause: dryErr });
      });
    throw new Error(`${formatObject(obj)} get failed: ${errorText(err)}`, { cause: err });
  }
}

/**
 * Detect-only (`mooring.dev/drift: detect`): an existing object is compared but never written,
 * not even the managedFields takeover; its drift is reported instead.
 */
function detectOnly(obj: KubeObject, input: DriftInput): Checked {
  const entry = changeSetEntry(obj, "unchanged");
  if (driftAction(input.live, input.dryRun, false, input.ignorePaths) === "unchanged")
    return { entry, live: input.live };
  return { entry, live: input.live, drift: detectionOf(input) };
}

/** kubectl's (and other non-Flux managers') fields taken over, so the apply reverts their edits. */
async function takeOver(
  ctx: ApplyContext,
  obj: KubeObject,
  live: KubeObject | undefined,
): Promise<{ live: KubeObject | undefined; patched: boolean }> {
  const ops = cleanupPatch(obj, live, ctx.cleanup);
  if (live === undefined || ops.length === 0) return { live, patched: ops.length > 0 };
  const patched = await step(obj, "field manager takeover", () =>
    ctx.client.jsonPatch(refOf(obj), ops, ctx.fieldManager),
  );
  ctx.stats.cleanupPatches++;
  return { live: patched, patched: true };
}

/** The drift an apply of `input.desired` corrects (see drift-record.ts), if any. */
function correction(ctx: ApplyContext, input: DriftInput | undefined, hash: string): ObjectDrift | undefined {
  if (input === undefined) return undefined;
  const id = objectId(objMetadataOf(input.desired));
  return correctionOf(input, ctx.owned?.appliedHash(ctx.options.owner, id) === hash);
}

async function check(
  ctx: ApplyContext,
  obj: KubeObject,
  ignore: readonly string[],
  hash: string,
): Promise<Checked> {
  const found = await getLive(ctx, obj);
  if (applyPolicy(obj, found).skip) return { entry: changeSetEntry(obj, "skipped"), live: undefined };
  const detect =
    found !== undefined &&
    objectDriftMode(obj, found, ctx.options.driftMode, formatObject(obj)) === DRIFT_MODE.detect;
  const result = await dryRun(ctx, obj, found, !detect);
  // The live object as read, before the takeover rewrites its managedFields: it names who drifted it.
  const input: DriftInput | undefined =
    result.live === undefined
      ? undefined
      : {
          desired: obj,
          live: result.live,
          dryRun: result.dry,
          ignorePaths: ignore,
          fieldManager: ctx.fieldManager,
        };
  if (detect && input !== undefined) return detectOnly(obj, input);
  const { live, patched } = await takeOver(ctx, obj, result.live);
  const action = driftAction(live, result.dry, patched, ignore);
  if (action === "unchanged") return { entry: changeSetEntry(obj, action), live };
  // Ignored paths that drifted keep their live value or stay with their other owner (Flux).
  const payload =
    live !== undefined && ignore.length > 0
      ? applyDriftedPaths(obj, driftedPaths(live, result.dry, ignore, ctx.fieldManager))
      : obj;
  return { entry: changeSetEntry(obj, action), live, payload, drift: correction(ctx, input, hash) };
}

/**
 * Phase 1 for one object: decide from the cache, or GET, dry-run (recreating on immutable-field
 * errors when forced), take kubectl's fields over, and compare. Throws an Error naming the object
 * (with the force hint for immutable fields).
 */
export async function planObject(ctx: ApplyContext, obj: KubeObject): Promise<Plan> {
  const ignore = ctx.options.ignorePaths?.(obj) ?? [];
  const hash = renderedHash(obj, { fm: ctx.fieldManager, as: ctx.options.impersonate ?? "", ignore });
  const id = objectId(objMetadataOf(obj));
  if (fromCache(ctx, obj, id, hash))
    return { obj, id, hash, entry: changeSetEntry(obj, "unchanged"), pending: false };
  ctx.owned?.begin(obj);
  let checked: Checked;
  try {
    checked = await check(ctx, obj, ignore, hash);
  } catch (err) {
    settle(ctx, undefined, { id, hash });
    throw err;
  }
  const { entry, payload, live, drift } = checked;
  // Decided objects are settled now; objects to apply stay pending until phase 2.
  if (payload === undefined) {
    // Drift left in place (detect-only) keeps its record, but the cache may not vouch for it.
    if (drift !== undefined) ctx.drift.push(drift);
    settle(ctx, live, { id, hash, recheck: drift !== undefined });
    return { obj, id, hash, entry, pending: false };
  }
  return { obj, id, hash, entry, pending: ctx.owned !== undefined, payload, drift };
}

/** The cheap path: the record and the watch mirror say nothing changed. */
function fromCache(ctx: ApplyContext, obj: KubeObject, id: string, hash: string): boolean {
  if (!ctx.useCache || ctx.owned?.canSkip(ctx.options.owner, obj, hash) !== true) return false;
  ctx.stats.cacheHits++;
  ctx.cacheHits.add(id);
  return true;
}

const isCurrent = (live: KubeObject, custom: ApplyOptions["customHealth"]): boolean =>
  computeStatus(live, { now: Date.now(), custom }).status === "Current";

function settle(
  ctx: ApplyContext,
  live: KubeObject | undefined,
  record: { id: string; hash: string; recheck?: boolean },
): void {
  const { id, hash, recheck } = record;
  ctx.owned?.settle(ctx.options.owner, live, live === undefined ? undefined : hash, { id, recheck });
  if (live !== undefined && isCurrent(live, ctx.options.customHealth)) ctx.currentWhenApplied.add(id);
}

/** Phase 2 for one object: the real apply when the plan needs one. */
export async function executePlan(ctx: ApplyContext, plan: Plan): Promise<ChangeSetEntry> {
  if (plan.payload === undefined) return plan.entry;
  const payload = plan.payload;
  let applied: KubeObject | undefined;
  try {
    applied = await step(plan.obj, "apply", () =>
      ctx.client.apply(payload, {
        fieldManager: ctx.fieldManager,
        dryRun: false,
        signal: ctx.options.signal,
      }),
    );
    ctx.stats.applies++;
    if (plan.drift !== undefined) ctx.drift.push(plan.drift);
    return plan.entry;
  } finally {
    settle(ctx, applied, plan);
  }
}

/** Releases plans that will not be executed (another object of the stage failed). */
export function abandonPlan(ctx: ApplyContext, plan: Plan): void {
  if (plan.pending) ctx.owned?.settle(ctx.options.owner, undefined, undefined, { id: plan.id });
}

/**
 * Wraps per-object failures (in object order) into one {@link ApplyError}: the first names the
 * failure as Flux does; `entries` are what was applied before it.
 */
export function applyFailure(errors: readonly unknown[], entries: readonly ChangeSetEntry[]): ApplyError {
  const texts = errors.map((e) => (e instanceof Error ? e.message : String(e)));
  return new ApplyError(texts, entries, errors[0]);
}
