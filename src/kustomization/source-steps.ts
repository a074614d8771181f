/**
 * The steps before any download (flux-compat §3.4 steps 2–3): resolve `spec.sourceRef` under the
 * cross-namespace policy, require an artifact, and check `dependsOn` with Flux's readiness rule.
 */
import {
  sourceKindInfo,
  type Artifact,
  type DependencyReference,
  dependencyNamespace,
  type Kustomization,
  Reason,
  sourceRefNamespace,
} from "../api/index.js";
import { getCondition } from "../runtime/conditions.js";
import { CelEvaluationError } from "../runtime/cel/expression.js";
import { GenericError, StallingError, WaitingError } from "../runtime/errors.js";
import { readyExprHolds } from "./cel-steps.js";
import { dependencyHint } from "./fix-hints.js";
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
  /**
   * Flux feature gate `AdditiveCELDependencyCheck` (off by default): a `readyExpr` is checked in
   * addition to the built-in readiness rule instead of replacing it.
   */
  readonly additiveCELDependencyCheck: boolean;
  /** Flux feature gate `ExternalArtifact`: whether gated source kinds may be used. */
  readonly allowExternalArtifact: boolean;
}

/** The source key of a Kustomization (namespace defaulted to its own). */
export function sourceKeyOf(ks: Kustomization): SourceKey {
  return { kind: ks.spec.sourceRef.kind, namespace: sourceRefNamespace(ks), name: ks.spec.sourceRef.name };
}

/**
 * Resolves the source. Sets nothing itself; throws:
 * - Stalled `AccessDenied` for a cross-namespace ref under `--no-cross-namespace-refs`, and for a
 *   kind behind a feature gate that is off (ExternalArtifact, Flux's wording);
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
  const gate = sourceKindInfo(key.kind)?.kustomizationGate;
  if (gate !== undefined && !gateEnabled(gate, opts)) {
    throw new StallingError(Reason.AccessDenied, `can't access '${shown}', ${gate} feature gate is disabled`);
  }
  // A source that is missing or has no artifact yet is written to Ready and logged, with no event,
  // as kustomize-controller does: it is usually the source still fetching, and alerts on it would
  // fire for every new Kustomization (and cost an Event write per retry).
  const source = await client.getSource(key);
  if (source === undefined) {
    throw new GenericError(Reason.ArtifactFailed, `Source '${shown}' not found`, {
      retryAfterMs: opts.retryIntervalMs,
      event: "None",
    });
  }
  const artifact = source.status?.artifact;
  if (artifact === undefined) {
    throw new WaitingError(
      Reason.ArtifactFailed,
      `Source artifact not found, retrying in ${formatDuration(opts.requeueDependencyMs)}`,
      { requeueAfterMs: opts.requeueDependencyMs, event: "None" },
    );
  }
  return { key, source, artifact };
}

/** Whether the feature gate a source kind needs is on (only ExternalArtifact has one). */
function gateEnabled(gate: string, opts: SourceStepOptions): boolean {
  return gate === "ExternalArtifact" && opts.allowExternalArtifact;
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
 * The message saying why dependency `dep` of `ks` is not ready, or undefined when it is ready:
 * its `readyExpr` first (when set; an evaluation error is the message as Flux words it),
 * then the built-in rule unless a readyExpr replaces it (gate `AdditiveCELDependencyCheck` off).
 * Throws Stalled `InvalidCELExpression` for a readyExpr that does not compile.
 */
function readinessProblem(
  ref: DependencyReference,
  dep: Kustomization,
  ks: Kustomization,
  context: { shown: string; revision: string; additive: boolean },
): string | undefined {
  const notReady = (problem: string): string => `dependency '${context.shown}' ${problem}`;
  if ((ref.readyExpr ?? "") !== "") {
    try {
      if (!readyExprHolds(ref, ks, dep)) return notReady("is not ready according to readyExpr eval");
    } catch (err) {
      if (err instanceof CelEvaluationError) return err.message;
      throw err;
    }
    if (!context.additive) return undefined;
  }
  const problem = dependencyProblem(dep, ks, context.revision);
  return problem === undefined ? undefined : notReady(problem);
}

/**
 * Checks `spec.dependsOn` (dependencies read uncached). Throws waiting `DependencyNotReady`
 * (requeue-dependency) naming the first dependency that is missing or not ready; Stalled
 * `AccessDenied` for a cross-namespace dependency under `--no-cross-namespace-refs`; Stalled
 * `InvalidCELExpression` for a `readyExpr` that does not compile.
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
    const context = { shown, revision, additive: opts.additiveCELDependencyCheck };
    const message =
      dep === undefined ? `dependency '${shown}' not found` : readinessProblem(ref, dep, ks, context);
    if (message === undefined) continue;
    // Flux's clause first (alerts match on it), then what to do about it (issue 20).
    const fix = message.startsWith("dependency '")
      ? `; fix: ${dependencyHint(shown, dep, opts.requeueDependencyMs, message.endsWith("readyExpr eval"))}`
      : "";
    throw new WaitingError(Reason.DependencyNotReady, `${message}${fix}`, {
      requeueAfterMs: opts.requeueDependencyMs,
    });
  }
}
