/**
 * The steps before any download (flux-compat §3.4 steps 2–3): resolve `spec.sourceRef` under the
 * cross-namespace policy, require an artifact, and check `dependsOn` with Flux's readiness rule.
 */
import {
  type Artifact,
  dependencyNamespace,
  type Kustomization,
  Reason,
  sourceRefNamespace,
} from "../api/index.js";
import { getCondition } from "../runtime/conditions.js";
import { GenericError, StallingError, WaitingError } from "../runtime/errors.js";
import { formatDuration } from "../util/duration.js";
import type { KustomizationClient, SourceKey, SourceObject } from "./ports.js";

/** The source and its artifact, once resolved. */
export interface ResolvedSource {
  readonly key: SourceKey;
  readonly source: SourceObject;
  readonly artifact: Artifact;
}

/** Settings the source steps need. */
export interface SourceStepOptions {
  readonly noCrossNamespaceRefs: boolean;
  readonly requeueDependencyMs: number;
  readonly retryIntervalMs: number;
}

/** The source key of a Kustomization (namespace defaulted to its own). */
export function sourceKeyOf(ks: Kustomization): SourceKey {
  return { kind: ks.spec.sourceRef.kind, namespace: sourceRefNamespace(ks), name: ks.spec.sourceRef.name };
}

/**
 * Resolves the source. Sets nothing itself; throws:
 * - Stalled `AccessDenied` for a cross-namespace ref under `--no-cross-namespace-refs`;
 * - `ArtifactFailed` (retry at retryInterval) when the source does not exist;
 * - waiting `ArtifactFailed` (requeue-dependency) when it has no artifact yet.
 */
export async function reconcileSource(
  ks: Kustomization,
  client: KustomizationClient,
  opts: SourceStepOptions,
): Promise<ResolvedSource> {
  const key = sourceKeyOf(ks);
  const shown = `${key.kind}/${key.namespace}/${key.name}`;
  if (opts.noCrossNamespaceRefs && key.namespace !== ks.metadata.namespace) {
    throw new StallingError(
      Reason.AccessDenied,
      `cannot access ${shown}, cross-namespace references have been blocked`,
    );
  }
  const source = await client.getSource(key);
  if (source === undefined) {
    throw new GenericError(Reason.ArtifactFailed, `Source '${shown}' not found`, {
      retryAfterMs: opts.retryIntervalMs,
    });
  }
  const artifact = source.status?.artifact;
  if (artifact === undefined) {
    throw new WaitingError(
      Reason.ArtifactFailed,
      `Source artifact not found, retrying in ${formatDuration(opts.requeueDependencyMs)}`,
      { requeueAfterMs: opts.requeueDependencyMs },
    );
  }
  return { key, source, artifact };
}

const sameSource = (a: Kustomization, b: Kustomization): boolean => {
  const ka = sourceKeyOf(a);
  const kb = sourceKeyOf(b);
  return ka.kind === kb.kind && ka.namespace === kb.namespace && ka.name === kb.name;
};

/**
 * Flux's readiness rule for a dependency: observed its current generation, Ready=True, and when it
 * uses the same source, applied the revision we are about to apply. Returns why not, or undefined.
 */
export function dependencyProblem(
  dep: Kustomization,
  self: Kustomization,
  revision: string,
): string | undefined {
  const conditions = dep.status?.conditions ?? [];
  if (conditions.length === 0 || dep.metadata.generation !== dep.status?.observedGeneration) {
    return "is not ready";
  }
  if (getCondition(dep, "Ready")?.status !== "True") return "is not ready";
  if (sameSource(dep, self) && dep.status?.lastAppliedRevision !== revision) {
    return `is not ready: last applied revision '${dep.status?.lastAppliedRevision ?? ""}' is not '${revision}'`;
  }
  return undefined;
}

/**
 * Checks `spec.dependsOn` (dependencies read uncached). Throws waiting `DependencyNotReady`
 * (requeue-dependency) naming the first dependency that is missing or not ready; Stalled
 * `AccessDenied` for a cross-namespace dependency under `--no-cross-namespace-refs`.
 */
export async function reconcileDependencies(
  ks: Kustomization,
  revision: string,
  client: KustomizationClient,
  opts: SourceStepOptions,
): Promise<void> {
  const own = ks.metadata.namespace ?? "";
  for (const ref of ks.spec.dependsOn ?? []) {
    const key = { namespace: dependencyNamespace(ref, own), name: ref.name };
    const shown = `${key.namespace}/${key.name}`;
    if (opts.noCrossNamespaceRefs && key.namespace !== own) {
      throw new StallingError(
        Reason.AccessDenied,
        `cannot access dependency '${shown}', cross-namespace references have been blocked`,
      );
    }
    const dep = await client.getKustomizationUncached(key);
    const problem = dep === undefined ? "not found" : dependencyProblem(dep, ks, revision);
    if (problem !== undefined) {
      throw new WaitingError(Reason.DependencyNotReady, `dependency '${shown}' ${problem}`, {
        requeueAfterMs: opts.requeueDependencyMs,
      });
    }
  }
}
