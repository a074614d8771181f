/**
 * The Kustomization controller's settings (Flux's flags, flux-compat §6.4), built once by the
 * composition root and handed in frozen: nothing in this module tree reads the environment.
 */
import type { ArtifactFetchOptions } from "./artifact-fetch.js";

/** Everything the reconciler and its controller wiring are configured with. */
export interface KustomizationOptions {
  /** `--requeue-dependency`: wait before looking again at a dependency or a missing artifact. */
  readonly requeueDependencyMs: number;
  /** `--no-cross-namespace-refs`: refuse sources and dependencies in other namespaces. */
  readonly noCrossNamespaceRefs: boolean;
  /** `--default-service-account`: impersonated when `spec.serviceAccountName` is empty. */
  readonly defaultServiceAccount: string | undefined;
  /** `--concurrent`: parallel reconciles (the manager's workers). */
  readonly concurrency: number;
  /** Strict post-build substitution (Flux feature gate `StrictPostBuildSubstitutions`, on). */
  readonly strictSubstitution: boolean;
  /**
   * Flux feature gate `AdditiveCELDependencyCheck` (off by default): `dependsOn[].readyExpr` is
   * checked in addition to the built-in readiness rule instead of replacing it. Set from
   * `--feature-gates`.
   */
  readonly additiveCELDependencyCheck: boolean;
  /** `--interval-jitter-percentage`. */
  readonly jitterPercent: number;
  /** Download/extraction settings (`--http-retry` and friends). */
  readonly artifact: ArtifactFetchOptions;
  /**
   * Drift requeues (an owned object changed by someone else) are let through at most once per
   * this period per Kustomization; more become a condition message and an event instead.
   */
  readonly driftRequeueMinIntervalMs: number;
  /** Drift requeues allowed in a burst before the minimum interval applies. */
  readonly driftRequeueBurst: number;
}

/** Flux's defaults, plus mooring's drift limits. */
export const DEFAULT_KUSTOMIZATION_OPTIONS: KustomizationOptions = Object.freeze({
  requeueDependencyMs: 30_000,
  noCrossNamespaceRefs: false,
  defaultServiceAccount: undefined,
  concurrency: 4,
  strictSubstitution: true,
  additiveCELDependencyCheck: false,
  jitterPercent: 5,
  artifact: Object.freeze({
    retries: 9,
    retryMinWaitMs: 1_000,
    retryMaxWaitMs: 30_000,
    maxBytes: 512 * 1024 * 1024,
    requeueDependencyMs: 30_000,
  }),
  driftRequeueMinIntervalMs: 10_000,
  driftRequeueBurst: 5,
});

/** Defaults overridden by `overrides`, frozen (the artifact wait follows requeueDependency). */
export function kustomizationOptions(overrides: Partial<KustomizationOptions> = {}): KustomizationOptions {
  const merged = { ...DEFAULT_KUSTOMIZATION_OPTIONS, ...overrides };
  const artifact = Object.freeze({
    ...DEFAULT_KUSTOMIZATION_OPTIONS.artifact,
    ...overrides.artifact,
    requeueDependencyMs: overrides.artifact?.requeueDependencyMs ?? merged.requeueDependencyMs,
  });
  return Object.freeze({ ...merged, artifact });
}
