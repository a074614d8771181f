/**
 * `mooring controller` settings: Flux's flags where they apply (flux-compat §6.4), parsed and
 * validated once at boot into a frozen object that the composition root (main.ts) hands to each
 * part. Nothing else reads flags or the environment.
 */
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
  readonly intervalJitterPercent: number;
  readonly minRetryDelayMs: number;
  readonly maxRetryDelayMs: number;
  readonly httpRetry: number;
  /** Largest git pack accepted from a server; bigger fetches fail with a clear message. */
  readonly gitMaxPackBytes: number;
  /** Heap limit of each build thread; a build past it fails with BuildFailed (issue 14). */
  readonly buildMaxHeapBytes: number;
  /** Largest file a build reads. */
  readonly buildMaxFileBytes: number;
  /** Most bytes one build reads in total. */
  readonly buildMaxTotalBytes: number;
  /** Most objects one build parses. */
  readonly buildMaxObjects: number;
}

/** The raw flag values as commander hands them over (strings, booleans, undefined). */
export type ControllerFlags = Partial<
  Record<
    | keyof ControllerConfig
    | "requeueDependency"
    | "artifactRetentionTtl"
    | "minRetryDelay"
    | "maxRetryDelay"
    | "intervalJitterPercentage",
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

/** Validates flags into a frozen {@link ControllerConfig}; `env` supplies KUBECONFIG/RUNTIME_NAMESPACE/HOSTNAME. */
export function controllerConfig(flags: ControllerFlags, env: NodeJS.ProcessEnv): ControllerConfig {
  const storageAddr = str(flags.storageAddr) ?? ":9090";
  return Object.freeze({
    kubeconfig: str(flags.kubeconfig) ?? env.KUBECONFIG,
    concurrent: integer("concurrent", flags.concurrent, 4, 1),
    concurrentSsa: integer("concurrent-ssa", flags.concurrentSsa, 4, 1),
    requeueDependencyMs: duration("requeue-dependency", flags.requeueDependency, "30s"),
    noCrossNamespaceRefs: flags.noCrossNamespaceRefs === true,
    defaultServiceAccount: str(flags.defaultServiceAccount),
    storagePath: str(flags.storagePath) ?? "/data",
    storageAddr,
    storageAdvAddr:
      str(flags.storageAdvAddr) ?? defaultAdvertisedAddress(storageAddr, env.HOSTNAME ?? "localhost"),
    artifactRetentionTtlMs: duration("artifact-retention-ttl", flags.artifactRetentionTtl, "1m"),
    artifactRetentionRecords: integer("artifact-retention-records", flags.artifactRetentionRecords, 2, 1),
    metricsAddr: str(flags.metricsAddr) ?? ":8080",
    healthAddr: str(flags.healthAddr) ?? ":9440",
    leaderElect: flags.leaderElect === true,
    leaderElectionNamespace: str(flags.leaderElectionNamespace) ?? env.RUNTIME_NAMESPACE ?? "mooring-system",
    logLevel: oneOf("log-level", flags.logLevel, ["debug", "info", "error"], "info"),
    logEncoding: oneOf("log-encoding", flags.logEncoding, ["json", "console"], "json"),
    watchLabelSelector: str(flags.watchLabelSelector),
    intervalJitterPercent: integer("interval-jitter-percentage", flags.intervalJitterPercentage, 5, 0),
    minRetryDelayMs: duration("min-retry-delay", flags.minRetryDelay, "750ms"),
    maxRetryDelayMs: duration("max-retry-delay", flags.maxRetryDelay, "15m"),
    httpRetry: integer("http-retry", flags.httpRetry, 9, 0),
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
  });
}
