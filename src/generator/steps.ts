/**
 * The two working steps of an ArtifactGenerator reconcile: reading its sources' artifacts from the
 * caches, and turning the downloaded sources into outputs (build, revisions, ExternalArtifact).
 */
import { join } from "node:path";
import type { ArtifactGenerator, ExternalArtifactReference } from "../api/index.js";
import { fetchArtifactInto } from "../kustomization/artifact-fetch.js";
import { GenericError, WaitingError } from "../runtime/errors.js";
import type { ReconcileContext } from "../runtime/reconciler.js";
import { mkdir } from "node:fs/promises";
import { buildOutput } from "./build.js";
import type { GeneratorClient } from "./client.js";
import { reconcileExternalArtifact } from "./external-artifacts.js";
import { outputRequests } from "./path-pattern.js";
import type { GeneratorDeps } from "./reconciler.js";
import { type ObservedSource, observe, sourceNamespace, withRevisions } from "./sources.js";

/** source-watcher's reasons for failed inputs. */
export const SOURCE_FETCH_FAILED = "SourceFetchFailed";

const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/**
 * Every alias's source artifact. Throws a waiting `SourceFetchFailed` ("get sources failed: …",
 * Warning event, retried after `--requeue-dependency`) when a source is missing or has no artifact.
 */
export function observeSources(
  ag: ArtifactGenerator,
  client: GeneratorClient,
  requeueDependencyMs: number,
): Map<string, ObservedSource> {
  const out = new Map<string, ObservedSource>();
  for (const ref of ag.spec.sources) {
    const namespace = sourceNamespace(ref, ag);
    const shown = `${ref.kind}/${namespace}/${ref.name}`;
    const source = client.getSource(ref.kind, { namespace, name: ref.name });
    const problem =
      source === undefined
        ? `source '${shown}' not found`
        : source.status?.artifact === undefined
          ? `source '${shown}' is not ready`
          : undefined;
    if (problem !== undefined || source?.status?.artifact === undefined) {
      throw new WaitingError(SOURCE_FETCH_FAILED, `get sources failed: ${problem ?? ""}`, {
        requeueAfterMs: requeueDependencyMs,
        event: "Warning",
      });
    }
    out.set(ref.alias, observe(ref, namespace, source.status.artifact));
  }
  return out;
}

/** Where the current run works. */
export interface RunContext extends GeneratorDeps {
  readonly workDir: string;
  readonly ctx: ReconcileContext;
}

/** Downloads and extracts every source under `<workDir>/sources/<alias>`; `SourceFetchFailed`. */
async function fetchSources(
  sources: ReadonlyMap<string, ObservedSource>,
  run: RunContext,
): Promise<Map<string, string>> {
  const dirs = new Map<string, string>();
  for (const [alias, source] of sources) {
    const dir = join(run.workDir, "sources", alias);
    await mkdir(dir, { recursive: true });
    const request = { artifact: source.artifact, signal: run.ctx.signal };
    await fetchArtifactInto(request, dir, `${dir}.tar.gz`, run.options.artifact).catch((err: unknown) => {
      throw new WaitingError(SOURCE_FETCH_FAILED, `fetch sources failed: ${messageOf(err)}`, {
        requeueAfterMs: run.options.requeueDependencyMs,
        event: "Warning",
        cause: err,
      });
    });
    dirs.set(alias, dir);
  }
  return dirs;
}

/**
 * Fetches the sources, then builds every output (`spec.artifacts`, or their renderings per
 * `spec.pathPattern` match) and applies its ExternalArtifact, in order.
 * Throws `BuildFailed` ("<name> build failed: …") or `ReconciliationFailed` ("<name> reconcile
 * failed: …"), both retried with backoff.
 */
export async function generateOutputs(
  ag: ArtifactGenerator,
  sources: ReadonlyMap<string, ObservedSource>,
  run: RunContext,
): Promise<ExternalArtifactReference[]> {
  const dirs = await fetchSources(sources, run);
  const refs: ExternalArtifactReference[] = [];
  for (const { output, labels } of await outputRequests(ag, dirs)) {
    const built = await buildOutput(output, {
      sources: dirs,
      workDir: run.workDir,
      namespace: ag.metadata.namespace ?? "",
      storage: run.storage,
      maxExtractBytes: run.options.artifact.maxBytes,
      now: run.ctx.now(),
    }).catch((err: unknown) => {
      throw new GenericError("BuildFailed", `${output.name} build failed: ${messageOf(err)}`, { cause: err });
    });
    const artifact = withRevisions(built, output, sources);
    const ref = await reconcileExternalArtifact(
      run.client,
      ag,
      { output, artifact, labels },
      run.ctx.now(),
    ).catch((err: unknown) => {
      throw new GenericError(
        "ReconciliationFailed",
        `${output.name} reconcile failed: failed to apply ExternalArtifact: ${messageOf(err)}`,
        { cause: err },
      );
    });
    await run.storage.garbageCollect(artifact.path);
    refs.push(ref);
  }
  return refs;
}
