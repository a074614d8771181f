/**
 * `mooring controller` settings: Flux's flags where they apply (flux-compat §6.4), parsed and
 * validated once at boot into a frozen object that the composition root (main.ts) hands to each
 * part. Nothing else reads flags or the environment.
 */
import { type FeatureGates, parseFeatureGates, parseGoBool } from "./feature-gates.js";
import { DEFAULT_WATCH_CONFIGS_SELECTOR } from "./kustomization/config-watch.js";
import { DEFAULT_BUILD_LIMITS } from "./kustomization/options.js";
import { defaultAdvertisedAddress } from "./source/storage.js";
import { parseDuration } from "./util/duration.js";

/** Everything `mooring controller` is configured with. */
export interface ControllerConfig {
  readonly kubeconfig: string | undefined;
  readonly concurrent: number;
  readonly concurrentSsa: number;
  readonly requeueDependencyMs: number;
  readonly noCrossNamespaceRefs: boolean;
  readonly defaultServiceAccount: string | undefined;
  readonly storagePath: string;
  readonly storageAddr: string;
  /** Host (and port) that artifact URLs advertise. */
  readonly storageAdvAddr: string;
  readonly artifactRetentionTtlMs: number;
  readonly artifactRetentionRecords: number;
  readonly metricsAddr: string;
  readonly healthAddr: string;
  readonly leaderElect: boolean;
  readonly leaderElectionNamespace: string;
  readonly logLevel: "debug" | "info" | "error";
  readonly logEncoding: "json" | "console";
  readonly watchLabelSelector: string | undefined;
  /** ConfigMaps/Secrets watched for changes to referenced inputs; "" selects all of them. */
  readonly watchConfigsLabelSelector: string;
  readonly intervalJitterPercent: number;
  readonly minRetryDelayMs: number;
  readonly maxRetryDelayMs: number;
  readonly httpRetry: number;
  /** Largest git pack accepted from a server; bigger fetches fail with a clear message. */
  readonly gitMaxPackBytes: number;
  /** `--receiver-addr`: listen address of the Receiver webhook server (Flux's receiver port, 9292). */
  readonly receiverAddr: string;
  /** `--events-addr`: notification endpoint that every event is also POSTed to, as Flux does. */
  readonly eventsAddr: string | undefined;
  /** `--watch-all-namespaces=false` restricts every watch to this namespace ($RUNTIME_NAMESPACE). */
  readonly watchNamespace: string | undefined;
  /** `--feature-gates` over Flux's defaults. */
  readonly featureGates: FeatureGates;
  /** `--no-remote-bases`; mooring never fetches remote bases, so `false` changes nothing. */
  readonly noRemoteBases: boolean;
  readonly leaderElectionLeaseDurationMs: number;
  readonly leaderElectionRenewDeadlineMs: number;
  readonly leaderElectionRetryPeriodMs: number;
  readonly leaderElectionReleaseOnCancel: boolean;
  /** `--kube-api-qps` (Flux's 50): requests per second to the API server, after the burst. */
  readonly kubeApiQps: number;
  /** `--kube-api-burst` (Flux's 300): requests that may go at once. */
  readonly kubeApiBurst: number;
  /**
   * `--sops-age-secret`: a Secret in the runtime namespace whose `.agekey` entries decrypt
   * Kustomizations that set `spec.decryption` without a `secretRef`.
   */
  readonly sopsAgeSecret: { readonly namespace: string; readonly name: string } | undefined;
  /** `--graceful-shutdown-timeout`: drain window for in-flight reconciles after SIGTERM. */
  readonly gracefulShutdownTimeoutMs: number;
  /** Heap limit of each build thread; a build past it fails with BuildFailed (issue 14). */
  readonly buildMaxHeapBytes: number;
  /** Largest file a build reads. */
  readonly buildMaxFileBytes: number;
  /** Most bytes one build reads in total. */
  readonly buildMaxTotalBytes: number;
  /** Most objects one build parses. */
  readonly buildMaxObjects: number;
  /** Every Nth apply of a Kustomization skips the no-op cache (1: always, 0: never). */
  readonly verifyNoopEvery: number;
  /** `--prune-guard` (default true): stop a revision whose prune would empty the inventory. */
  readonly pruneGuard: boolean;
}

/** The raw flag values as commander hands them over (strings, booleans, undefined). */
export type ControllerFlags = Partial<
  Record<
    | keyof ControllerConfig
    | "requeueDependency"
    | "artifactRetentionTtl"
    | "minRetryDelay"
    | "maxRetryDelay"
    | "intervalJitterPercentage"
    | "watchAllNamespaces"
    | "enableLeaderElection"
    | "leaderElectionLeaseDuration"
    | "leaderElectionRenewDeadline"
    | "leaderElectionRetryPeriod"
    | "sopsAgeSecret"
    | "gracefulShutdownTimeout",
    string | boolean
  >
>;

const MIB = 1024 * 1024;

/** A flag value that makes no sense; the message names the flag. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

const str = (v: string | boolean | undefined): string | undefined =>
  typeof v === "string" && v !== "" ? v : undefined;

function duration(flag: string, value: string | boolean | undefined, fallback: string): number {
  try {
    return parseDuration(str(value) ?? fallback);
  } catch (err) {
    throw new ConfigError(`--${flag}: ${(err as Error).message}`, { cause: err });
  }
}

function integer(flag: string, value: string | boolean | undefined, fallback: number, min: number): number {
  const n = str(value) === undefined ? fallback : Number(value);
  if (!Number.isInteger(n) || n < min)
    throw new ConfigError(`--${flag} must be an integer >= ${min}, got "${String(value)}"`);
  return n;
}

function positiveNumber(flag: string, value: string | boolean | undefined, fallback: number): number {
  const n = str(value) === undefined ? fallback : Number(value);
  if (!Number.isFinite(n) || n <= 0)
    throw new ConfigError(`--${flag} must be a number > 0, got "${String(value)}"`);
  return n;
}

/** `--min-retry-delay` / `--max-retry-delay`: Flux's 750 ms and 15 min; the first may not exceed the second. */
function retryDelays(flags: ControllerFlags): { minRetryDelayMs: number; maxRetryDelayMs: number } {
  const minRetryDelayMs = duration("min-retry-delay", flags.minRetryDelay, "750ms");
  const maxRetryDelayMs = duration("max-retry-delay", flags.maxRetryDelay, "15m");
  if (minRetryDelayMs <= 0) throw new ConfigError(`--min-retry-delay must be greater than 0`);
  if (minRetryDelayMs > maxRetryDelayMs)
    throw new ConfigError(
      `--min-retry-delay (${minRetryDelayMs} ms) must not be greater than --max-retry-delay (${maxRetryDelayMs} ms)`,
    );
  return { minRetryDelayMs, maxRetryDelayMs };
}

function oneOf<T extends string>(
  flag: string,
  value: string | boolean | undefined,
  allowed: readonly T[],
  fallback: T,
): T {
  const v = str(value) ?? fallback;
  if (!(allowed as readonly string[]).includes(v))
    throw new ConfigError(`--${flag} must be one of ${allowed.join(", ")}, got "${v}"`);
  return v as T;
}

/** A Go bool flag: bare (`true` from commander), or `--flag=<Go bool>`. */
function goBool(flag: string, value: string | boolean | undefined, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value === "boolean") return value;
  const parsed = parseGoBool(value);
  if (parsed === undefined) throw new ConfigError(`--${flag} must be true or false, got "${value}"`);
  return parsed;
}

/**
 * Flux spells `--no-x=true`; commander reads `--no-x [bool]` as x=false when bare and x="true"
 * when given a value, so a value is the `no-x` setting itself.
 */
function negated(flag: string, value: string | boolean | undefined): boolean {
  if (value === undefined || value === true) return false;
  return value === false ? true : goBool(flag, value, false);
}

function watchNamespace(flags: ControllerFlags, env: NodeJS.ProcessEnv): string | undefined {
  if (goBool("watch-all-namespaces", flags.watchAllNamespaces, true)) return undefined;
  const ns = env.RUNTIME_NAMESPACE;
  if (ns === undefined || ns === "")
    throw new ConfigError("--watch-all-namespaces=false needs RUNTIME_NAMESPACE, the namespace to watch");
  return ns;
}

function featureGates(value: string | boolean | undefined): FeatureGates {
  try {
    return parseFeatureGates(str(value));
  } catch (err) {
    throw new ConfigError(`--feature-gates: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * Leader election: `--enable-leader-election` (Flux's name) or `--leader-elect`, and Flux's timing
 * flags. Defaults stay controller-runtime's (15s/10s/2s; Flux's binaries use 35s/30s/5s).
 */
function leaderElection(
  flags: ControllerFlags,
): Pick<
  ControllerConfig,
  | "leaderElect"
  | "leaderElectionLeaseDurationMs"
  | "leaderElectionRenewDeadlineMs"
  | "leaderElectionRetryPeriodMs"
  | "leaderElectionReleaseOnCancel"
> {
  return {
    leaderElect:
      goBool("leader-elect", flags.leaderElect, false) ||
      goBool("enable-leader-election", flags.enableLeaderElection, false),
    leaderElectionLeaseDurationMs: duration(
      "leader-election-lease-duration",
      flags.leaderElectionLeaseDuration,
      "15s",
    ),
    leaderElectionRenewDeadlineMs: duration(
      "leader-election-renew-deadline",
      flags.leaderElectionRenewDeadline,
      "10s",
    ),
    leaderElectionRetryPeriodMs: duration(
      "leader-election-retry-period",
      flags.leaderElectionRetryPeriod,
      "2s",
    ),
    leaderElectionReleaseOnCancel: goBool(
      "leader-election-release-on-cancel",
      flags.leaderElectionReleaseOnCancel,
      true,
    ),
  };
}

/** Validates flags into a frozen {@link ControllerConfig}; `env` supplies KUBECONFIG/RUNTIME_NAMESPACE/HOSTNAME. */
export function controllerConfig(flags: ControllerFlags, env: NodeJS.ProcessEnv): ControllerConfig {
  const storageAddr = str(flags.storageAddr) ?? ":9090";
  const runtimeNamespace = env.RUNTIME_NAMESPACE ?? "mooring-system";
  const sopsAgeSecret = str(flags.sopsAgeSecret);
  return Object.freeze({
    kubeconfig: str(flags.kubeconfig) ?? env.KUBECONFIG,
    concurrent: integer("concurrent", flags.concurrent, 4, 1),
    concurrentSsa: integer("concurrent-ssa", flags.concurrentSsa, 4, 1),
    requeueDependencyMs: duration("requeue-dependency", flags.requeueDependency, "30s"),
    noCrossNamespaceRefs: negated("no-cross-namespace-refs", flags.noCrossNamespaceRefs),
    defaultServiceAccount: str(flags.defaultServiceAccount),
    storagePath: str(flags.storagePath) ?? "/data",
    storageAddr,
    storageAdvAddr:
      str(flags.storageAdvAddr) ?? defaultAdvertisedAddress(storageAddr, env.HOSTNAME ?? "localhost"),
    artifactRetentionTtlMs: duration("artifact-retention-ttl", flags.artifactRetentionTtl, "1m"),
    artifactRetentionRecords: integer("artifact-retention-records", flags.artifactRetentionRecords, 2, 1),
    metricsAddr: str(flags.metricsAddr) ?? ":8080",
    healthAddr: str(flags.healthAddr) ?? ":9440",
    ...leaderElection(flags),
    leaderElectionNamespace: str(flags.leaderElectionNamespace) ?? runtimeNamespace,
    logLevel: oneOf("log-level", flags.logLevel, ["debug", "info", "error"], "info"),
    logEncoding: oneOf("log-encoding", flags.logEncoding, ["json", "console"], "json"),
    watchLabelSelector: str(flags.watchLabelSelector),
    // Flux's default; an explicit empty value means every ConfigMap and Secret.
    watchConfigsLabelSelector:
      typeof flags.watchConfigsLabelSelector === "string"
        ? flags.watchConfigsLabelSelector
        : DEFAULT_WATCH_CONFIGS_SELECTOR,
    intervalJitterPercent: integer("interval-jitter-percentage", flags.intervalJitterPercentage, 5, 0),
    ...retryDelays(flags),
    httpRetry: integer("http-retry", flags.httpRetry, 9, 0),
    eventsAddr: str(flags.eventsAddr),
    receiverAddr: str(flags.receiverAddr) ?? ":9292",
    watchNamespace: watchNamespace(flags, env),
    featureGates: featureGates(flags.featureGates),
    noRemoteBases: negated("no-remote-bases", flags.noRemoteBases),
    kubeApiQps: positiveNumber("kube-api-qps", flags.kubeApiQps, 50),
    kubeApiBurst: integer("kube-api-burst", flags.kubeApiBurst, 300, 1),
    sopsAgeSecret:
      sopsAgeSecret === undefined
        ? undefined
        : Object.freeze({ namespace: runtimeNamespace, name: sopsAgeSecret }),
    gracefulShutdownTimeoutMs: duration("graceful-shutdown-timeout", flags.gracefulShutdownTimeout, "25s"),
    gitMaxPackBytes: integer("git-max-pack-bytes", flags.gitMaxPackBytes, 512 * MIB, 1),
    buildMaxHeapBytes: integer("build-max-heap-bytes", flags.buildMaxHeapBytes, 512 * MIB, 64 * MIB),
    buildMaxFileBytes: integer(
      "build-max-file-bytes",
      flags.buildMaxFileBytes,
      DEFAULT_BUILD_LIMITS.maxFileBytes,
      1,
    ),
    buildMaxTotalBytes: integer(
      "build-max-total-bytes",
      flags.buildMaxTotalBytes,
      DEFAULT_BUILD_LIMITS.maxTotalBytes,
      1,
    ),
    buildMaxObjects: integer("build-max-objects", flags.buildMaxObjects, DEFAULT_BUILD_LIMITS.maxObjects, 1),
    verifyNoopEvery: integer("verify-noop-every", flags.verifyNoopEvery, 10, 0),
    pruneGuard: goBool("prune-guard", flags.pruneGuard, true),
  });
}
