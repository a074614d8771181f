/**
 * The Kustomization controller's settings (Flux's flags, flux-compat §6.4), built once by the
 * composition root and handed in frozen: nothing in this module tree reads the environment.
 */
import type { BuildLimits } from "../kustomize/index.js";
import { DEFAULT_BACKOFF, type BackoffOptions } from "../runtime/queue/rate-limiter.js";
import type { ArtifactFetchOptions } from "./artifact-fetch.js";

const MIB = 1024 * 1024;

/**
 * The controller's default input limits per build (issue 14): generous for real repositories
 * (the largest CRD bundles are a few MiB), far below what a build thread's heap can hold.
 */
export const DEFAULT_BUILD_LIMITS: BuildLimits = Object.freeze({
  maxFileBytes: 16 * MIB,
  maxTotalBytes: 64 * MIB,
  maxObjects: 10_000,
});

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
  /** Health checks end at the first Failed object (off with Flux's `DisableFailFastBehavior`). */
  readonly healthFailFast: boolean;
  /** A new source revision cancels a running health check (Flux's `CancelHealthCheckOnNewRevision`, off). */
  readonly cancelHealthCheckOnNewRevision: boolean;
  /**
   * Flux feature gate `AdditiveCELDependencyCheck` (off by default): `dependsOn[].readyExpr` is
   * checked in addition to the built-in readiness rule instead of replacing it. Set from
   * `--feature-gates`.
   */
  readonly additiveCELDependencyCheck: boolean;
  /**
   * Flux feature gate `ExternalArtifact` (off by default, as in Flux): Kustomizations may use
   * ExternalArtifact sources, and ExternalArtifacts are watched. Without it such a Kustomization
   * stalls with `AccessDenied`.
   */
  readonly allowExternalArtifact: boolean;
  /** Watch labelled ConfigMaps and Secrets (off with Flux's `DisableConfigWatchers` gate). */
  readonly watchConfigs: boolean;
  /** `--interval-jitter-percentage`. */
  readonly jitterPercent: number;
  /** `--min-retry-delay` / `--max-retry-delay`: per-Kustomization failure backoff. */
  readonly backoff: BackoffOptions;
  /** Download/extraction settings (`--http-retry` and friends). */
  readonly artifact: ArtifactFetchOptions;
  /**
   * Drift requeues (an owned object changed by someone else) are let through at most once per
   * this period per Kustomization; more become a condition message and an event instead.
   */
  readonly driftRequeueMinIntervalMs: number;
  /** Drift requeues allowed in a burst before the minimum interval applies. */
  readonly driftRequeueBurst: number;
  /** `--sops-age-secret`: the global age key Secret, used when `decryption.secretRef` is unset. */
  readonly sopsAgeSecret: { readonly namespace: string; readonly name: string } | undefined;
  /** Input limits of each build (`--build-max-file-bytes` and friends). */
  readonly buildLimits: BuildLimits;
  /**
   * `--verify-noop-every`: every Nth apply of a Kustomization dry-runs every object even where the
   * no-op cache says nothing changed (1: every apply, as Flux; 0: never).
   */
  readonly verifyNoopEvery: number;
  /**
   * `--prune-guard` (on by default, mooring's one deliberate difference from Flux): a revision
   * whose prune would delete the whole inventory stops instead (see prune-guard.ts); off restores
   * Flux's behaviour.
   */
  readonly pruneGuard: boolean;
}

/** Flux's defaults, plus mooring's drift limits. */
export const DEFAULT_KUSTOMIZATION_OPTIONS: KustomizationOptions = Object.freeze({
  requeueDependencyMs: 30_000,
  noCrossNamespaceRefs: false,
  defaultServiceAccount: undefined,
  concurrency: 4,
  strictSubstitution: true,
  healthFailFast: true,
  cancelHealthCheckOnNewRevision: false,
  additiveCELDependencyCheck: false,
  allowExternalArtifact: false,
  watchConfigs: true,
  jitterPercent: 5,
  backoff: DEFAULT_BACKOFF,
  artifact: Object.freeze({
    retries: 9,
    retryMinWaitMs: 1_000,
    retryMaxWaitMs: 30_000,
    maxBytes: 512 * 1024 * 1024,
    requeueDependencyMs: 30_000,
  }),
  driftRequeueMinIntervalMs: 10_000,
  driftRequeueBurst: 5,
  sopsAgeSecret: undefined,
  buildLimits: DEFAULT_BUILD_LIMITS,
  verifyNoopEvery: 10,
  pruneGuard: true,
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
