/**
 * The ArtifactGenerator reconciler (Flux's source-watcher, issue 16): read, finalize or add the
 * finalizer, honour the `source.extensions.fluxcd.io/reconcile: disabled` annotation, then run
 * the steps and finish status through the runtime's `StatusFinisher` (a disabled generator's too).
 *
 * Steps, in source-watcher's order:
 * 1. `validateGenerator`: a spec problem stalls (ValidationFailed, AccessDenied, UnsupportedField).
 * 2. `observeSources`: every alias's source and its artifact, from the caches; a missing source or
 *    artifact is Ready False `SourceFetchFailed`, looked at again after `--requeue-dependency`.
 * 3. `detectDrift`: unchanged sources, stored files and ExternalArtifacts end the run here.
 * 4. Reconciling, then `fetchSources` (download, verify, extract; `SourceFetchFailed`), build
 *    each output (`BuildFailed`), apply its ExternalArtifact (`ReconciliationFailed`).
 * 5. Garbage collection of outputs no longer listed and of old files, then the inventory.
 */
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  ARTIFACT_GENERATOR_FINALIZER,
  ARTIFACT_GENERATOR_RECONCILE_ANNOTATION,
  ARTIFACT_GENERATOR_REQUEUE_MS,
  type ArtifactGenerator,
  type ExternalArtifactReference,
  Reason,
} from "../api/index.js";
import type { ArtifactFetchOptions } from "../kustomization/artifact-fetch.js";
import { markReconciling, markTrue, markUnknown, READY } from "../runtime/conditions.js";
import { DEFAULT_JITTER_PERCENT, jitterWith } from "../runtime/jitter.js";
import type { ResultOptions } from "../runtime/result.js";
import { StatusFinisher } from "../runtime/finish-status.js";
import {
  type ObjectKey,
  type ReconcileContext,
  type Reconciler,
  type Result,
  Results,
} from "../runtime/reconciler.js";
import type { ArtifactStorage } from "../source/storage.js";
import type { GeneratorClient } from "./client.js";
import { detectDrift } from "./drift.js";
import { removeExternalArtifacts } from "./external-artifacts.js";
import { generateOutputs, observeSources } from "./steps.js";
import { hashObservedSources } from "./sources.js";
import { validateGenerator } from "./validate.js";

/** Settings of the generator controller (from the flags, frozen). */
export interface GeneratorOptions {
  /** `--no-cross-namespace-refs`. */
  readonly noCrossNamespaceRefs: boolean;
  /** `--requeue-dependency`: wait before looking again at a source without an artifact. */
  readonly requeueDependencyMs: number;
  /** `--interval-jitter-percentage`. */
  readonly jitterPercent?: number;
  /** Download settings of the inputs (`--http-retry`, size cap). */
  readonly artifact: ArtifactFetchOptions;
  /** Parent of the per-reconcile scratch directories. */
  readonly tmpDir?: string;
}

/** What the reconciler is built from. */
export interface GeneratorDeps {
  readonly client: GeneratorClient;
  readonly storage: ArtifactStorage;
  readonly options: GeneratorOptions;
}

const IN_PROGRESS = "Reconciliation in progress";

/** How a run ended, for {@link ArtifactGeneratorReconciler.finish}. */
interface RunEnd {
  readonly obj: ArtifactGenerator;
  readonly error: unknown;
  /** Outputs whose artifact is new or changed (the Normal event lists them). */
  readonly changed: readonly ExternalArtifactReference[];
}

/** Reconciles ArtifactGenerators into ExternalArtifacts. */
export class ArtifactGeneratorReconciler implements Reconciler {
  constructor(private readonly deps: GeneratorDeps) {}

  async reconcile(key: ObjectKey, ctx: ReconcileContext): Promise<Result> {
    const read = this.deps.client.get(key);
    if (read === undefined) return Results.done();
    if (read.metadata.deletionTimestamp) return this.finalize(read);
    const status = new StatusFinisher(read, (o: ArtifactGenerator, patch) =>
      this.deps.client.patchStatus(o, patch),
    );
    const obj = await this.withFinalizer(read, ctx);
    if (obj === undefined) return Results.done();
    if (isDisabled(obj)) {
      ctx.log.info("Reconciliation is disabled");
      return (await status.finish(obj, "suspended", undefined, this.resultOptions(ctx))).result;
    }
    return this.run(obj, status, ctx);
  }

  private resultOptions(ctx: ReconcileContext): ResultOptions {
    return {
      intervalMs: ARTIFACT_GENERATOR_REQUEUE_MS,
      jitter: jitterWith(this.deps.options.jitterPercent ?? DEFAULT_JITTER_PERCENT),
      now: ctx.now(),
    };
  }

  private async run(
    initial: ArtifactGenerator,
    status: StatusFinisher<ArtifactGenerator>,
    ctx: ReconcileContext,
  ): Promise<Result> {
    let obj = initial;
    let error: unknown;
    let changed: ExternalArtifactReference[] = [];
    try {
      validateGenerator(obj, this.deps.options.noCrossNamespaceRefs);
      const sources = observeSources(obj, this.deps.client, this.deps.options.requeueDependencyMs);
      const digest = hashObservedSources(sources);
      const drift = await detectDrift(obj, digest, this.deps);
      if (drift === undefined) {
        ctx.log.debug(`No drift detected, ${obj.status?.inventory?.length ?? 0} artifact(s) up to date`);
        return this.finish({ obj, error: undefined, changed: [] }, status, ctx);
      }
      ctx.log.info({ reason: drift }, IN_PROGRESS);
      obj = markReconciling(obj, { reason: Reason.Progressing, message: IN_PROGRESS, now: ctx.now() });
      obj = markUnknown(obj, READY, { reason: Reason.Progressing, message: IN_PROGRESS, now: ctx.now() });
      await status.patch(obj);
      const refs = await this.generate(obj, sources, ctx);
      changed = refs.filter((r) => !inInventory(initial, r));
      obj = { ...obj, status: { ...obj.status, inventory: refs, observedSourcesDigest: digest } };
      const message = `reconciliation succeeded, generated ${refs.length} artifact(s)`;
      obj = markTrue(obj, READY, { reason: Reason.Succeeded, message, now: ctx.now() });
    } catch (err) {
      error = err;
    }
    return this.finish({ obj, error, changed }, status, ctx);
  }

  /** Fetches, builds and publishes every output; removes outputs no longer listed. */
  private async generate(
    obj: ArtifactGenerator,
    sources: Parameters<typeof generateOutputs>[1],
    ctx: ReconcileContext,
  ): Promise<ExternalArtifactReference[]> {
    const workDir = await mkdtemp(join(this.deps.options.tmpDir ?? tmpdir(), "mooring-ag-"));
    try {
      await mkdir(join(workDir, "sources"));
      const refs = await generateOutputs(obj, sources, { ...this.deps, workDir, ctx });
      const orphans = (obj.status?.inventory ?? []).filter((r) => !refs.some((n) => n.name === r.name));
      await removeExternalArtifacts(orphans, this.deps);
      return refs;
    } finally {
      await rm(workDir, { recursive: true, force: true });
    }
  }

  private async finish(
    end: RunEnd,
    status: StatusFinisher<ArtifactGenerator>,
    ctx: ReconcileContext,
  ): Promise<Result> {
    const { obj, error, changed } = end;
    const out = await status.finish(obj, "success", error, this.resultOptions(ctx));
    const events = [...out.events];
    if (changed.length > 0) {
      const list = changed.map((r) => `${r.namespace}/${r.name} (${r.digest})`).join("\n");
      events.push({ type: "Normal", reason: READY, message: `external artifacts reconciled: ${list}` });
    }
    for (const e of events) this.deps.client.emitEvent(out.obj, e);
    if (out.failure !== undefined) ctx.log.info({ reason: out.failure.reason }, out.failure.message);
    return out.result;
  }

  /**
   * Adds the finalizer when missing and goes on in the same reconcile; a generator created disabled
   * starts Ready True "Initialized with reconciliation suspended" (source-watcher's wording).
   */
  private async withFinalizer(
    obj: ArtifactGenerator,
    ctx: ReconcileContext,
  ): Promise<ArtifactGenerator | undefined> {
    const finalizers = (obj.metadata.finalizers as string[] | undefined) ?? [];
    if (finalizers.includes(ARTIFACT_GENERATOR_FINALIZER)) return obj;
    const updated = await this.deps.client.setFinalizers(obj, [...finalizers, ARTIFACT_GENERATOR_FINALIZER]);
    if (updated === undefined || !isDisabled(updated)) return updated;
    return markTrue(updated, READY, {
      reason: "ReconciliationDisabled",
      message: "Initialized with reconciliation suspended",
      now: ctx.now(),
    });
  }

  /** Deletion: the listed ExternalArtifacts and their files go, then the finalizer. */
  private async finalize(obj: ArtifactGenerator): Promise<Result> {
    await removeExternalArtifacts(obj.status?.inventory ?? [], this.deps);
    const finalizers = ((obj.metadata.finalizers as string[] | undefined) ?? []).filter(
      (f) => f !== ARTIFACT_GENERATOR_FINALIZER,
    );
    await this.deps.client.setFinalizers(obj, finalizers);
    return Results.done();
  }
}

/** `source.extensions.fluxcd.io/reconcile: disabled` (any case). */
function isDisabled(obj: ArtifactGenerator): boolean {
  return obj.metadata.annotations?.[ARTIFACT_GENERATOR_RECONCILE_ANNOTATION]?.toLowerCase() === "disabled";
}

function inInventory(obj: ArtifactGenerator, ref: ExternalArtifactReference): boolean {
  return (obj.status?.inventory ?? []).some(
    (r) => r.name === ref.name && r.namespace === ref.namespace && r.digest === ref.digest,
  );
}
