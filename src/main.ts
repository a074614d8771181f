/**
 * The composition root of `mooring controller`: the one place that turns the validated config
 * into objects and wires them together. The controllers run in one process on one manager:
 * GitRepository (clone/fetch → artifact), ArtifactGenerator (source artifacts → ExternalArtifacts),
 * Kustomization (artifact → render → apply) and Receiver (webhook → requestedAt on its targets),
 * sharing the artifact store, the event recorder, the metrics registry and leader election.
 */
import { createHash } from "node:crypto";
import { mkdir } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import type { Logger } from "pino";
import { ApplyClusters, ApplyManager } from "./apply/cluster/index.js";
import type { ControllerConfig } from "./config.js";
import { unsupportedGateWarnings } from "./feature-gates.js";
import { ApiKustomizationClient } from "./kustomization/cluster-client.js";
import { KustomizationController } from "./kustomization/controller.js";
import { type KustomizationOptions, kustomizationOptions } from "./kustomization/options.js";
import { EventForwarder } from "./runtime/event-forwarder.js";
import { DEFAULT_KUSTOMIZATION_OPTIONS } from "./kustomization/options.js";
import { RenderPool } from "./kustomization/render-pool.js";
import { apiEventSink } from "./runtime/event-sink.js";
import { EventRecorder } from "./runtime/events.js";
import { LeaderElector } from "./runtime/leader-election.js";
import { apiLeaseClient } from "./runtime/lease-client.js";
import { serverHasPriorityAndFairness } from "./runtime/flow-control.js";
import { limitKubeRequests } from "./runtime/kube-transport.js";
import {
  defaultKubeConfig,
  inClusterKubeConfig,
  type KubeConfig,
  type KubeEnv,
  loadKubeConfigFiles,
} from "./runtime/kubeconfig/index.js";
import { createLogger } from "./runtime/logging.js";
import { Manager, settlesWithin } from "./runtime/manager.js";
import type { BackoffOptions } from "./runtime/queue/rate-limiter.js";
import type { Registry } from "prom-client";
import { createMetricsRegistry, rateLimiterWaitRecorder } from "./runtime/metrics.js";
import { GitClient } from "./source/git-client.js";
import { registerArtifactGeneratorController } from "./generator/controller.js";
import { registerGitRepositoryController } from "./source/gitrepository-controller.js";
import { RegistryClient } from "./source/oci/registry-client.js";
import { registerOCIRepositoryController } from "./source/ocirepository-controller.js";
import { registerReceiverController } from "./receiver/controller.js";
import { startArtifactServer } from "./source/server.js";
import { ArtifactStorage } from "./source/storage.js";

/** How long each part may take to close once the manager stopped. */
const CLOSE_GRACE_MS = 3_000;

/** Where the process runs, as main sees it (the environment is read by the CLI entry only). */
export interface RuntimeEnvironment {
  /** In a pod (KUBERNETES_SERVICE_HOST set): in-cluster credentials unless --kubeconfig is given. */
  readonly inCluster: boolean;
  readonly isTTY: boolean;
  /** The pod name (HOSTNAME), used as the leader-election identity and event instance. */
  readonly instance: string;
  /**
   * The process environment: KUBECONFIG, HOME, KUBERNETES_SERVICE_HOST/PORT, and what a
   * kubeconfig exec plugin runs with. Empty when not given.
   */
  readonly env?: KubeEnv;
}

/** Credentials: --kubeconfig first, in-cluster in a pod, else KUBECONFIG / ~/.kube/config. */
export function controllerKubeConfig(config: ControllerConfig, env: RuntimeEnvironment): KubeConfig {
  const vars = env.env ?? {};
  if (config.kubeconfig) return loadKubeConfigFiles([config.kubeconfig], vars);
  if (env.inCluster) return inClusterKubeConfig(vars);
  return defaultKubeConfig(vars);
}

/** The lease name: Flux's ID, suffixed with a hash of the selector when sharding. */
export function leaderElectionId(config: ControllerConfig): string {
  const base = "mooring-leader-election";
  if (!config.watchLabelSelector) return base;
  return `${base}-${createHash("sha256").update(config.watchLabelSelector).digest("hex").slice(0, 8)}`;
}

/** `--min-retry-delay` / `--max-retry-delay`, the failure backoff of both controllers. */
export function backoffOf(config: ControllerConfig): BackoffOptions {
  return { baseDelayMs: config.minRetryDelayMs, maxDelayMs: config.maxRetryDelayMs };
}

/** The Kustomization controller's options from the flags and feature gates. */
export function kustomizationOptionsFor(config: ControllerConfig): KustomizationOptions {
  const gates = config.featureGates;
  return kustomizationOptions({
    requeueDependencyMs: config.requeueDependencyMs,
    noCrossNamespaceRefs: config.noCrossNamespaceRefs,
    defaultServiceAccount: config.defaultServiceAccount,
    concurrency: config.concurrent,
    jitterPercent: config.intervalJitterPercent,
    backoff: backoffOf(config),
    strictSubstitution: gates.StrictPostBuildSubstitutions === true,
    healthFailFast: gates.DisableFailFastBehavior !== true,
    cancelHealthCheckOnNewRevision: gates.CancelHealthCheckOnNewRevision === true,
    additiveCELDependencyCheck: gates.AdditiveCELDependencyCheck === true,
    allowExternalArtifact: gates.ExternalArtifact === true,
    watchConfigs: gates.DisableConfigWatchers !== true,
    sopsAgeSecret: config.sopsAgeSecret,
    verifyNoopEvery: config.verifyNoopEvery,
    pruneGuard: config.pruneGuard,
    artifact: {
      ...DEFAULT_KUSTOMIZATION_OPTIONS.artifact,
      retries: config.httpRetry,
      requeueDependencyMs: config.requeueDependencyMs,
    },
  });
}

/** Flux's controller that would have reported about an object (notification-controller matches on it). */
const fluxControllerOf = (obj: { kind: string }): string =>
  ({
    GitRepository: "source-controller",
    OCIRepository: "source-controller",
    ArtifactGenerator: "source-watcher",
    Receiver: "notification-controller",
  })[obj.kind] ?? "kustomize-controller";

/** Says, once at startup, which accepted flags and gates change nothing in mooring. */
function logCompatibilityNotes(config: ControllerConfig, log: Logger): void {
  for (const line of unsupportedGateWarnings(config.featureGates)) log.warn(line);
}

/** A running controller process. */
export interface RunningController {
  /** Port of the artifact server (useful with `--storage-addr=127.0.0.1:0`). */
  readonly storagePort: number;
  /** Port of the Receiver webhook server; undefined when the Receiver CRD is not installed. */
  readonly receiverPort: number | undefined;
  readonly manager: Manager;
  /** Resolves when the manager stopped (after `signal` aborted), rejects when leadership was lost. */
  readonly done: Promise<void>;
}

/**
 * Builds and starts everything; stops when `signal` aborts. The returned `done` settles once
 * in-flight reconciles drained and servers closed.
 */
export async function startController(
  config: ControllerConfig,
  env: RuntimeEnvironment,
  signal: AbortSignal,
  log: Logger = createLogger({ level: config.logLevel, encoding: config.logEncoding, isTTY: env.isTTY }),
): Promise<RunningController> {
  const kc = controllerKubeConfig(config, env);
  const registry = createMetricsRegistry({ processMetrics: true });
  await limitClientSide(kc, config, registry, log);
  logCompatibilityNotes(config, log);
  const recorder = new EventRecorder({
    sink: apiEventSink(kc),
    component: "mooring",
    instance: env.instance,
    log,
    ...(config.eventsAddr === undefined
      ? {}
      : {
          forwarder: new EventForwarder({
            address: config.eventsAddr,
            reportingController: fluxControllerOf,
            instance: env.instance || hostname(),
            log,
          }),
        }),
  });
  await mkdir(config.storagePath, { recursive: true }).catch((err: unknown) => {
    throw new Error(`--storage-path ${config.storagePath} is not usable: ${(err as Error).message}`, {
      cause: err,
    });
  });
  const artifacts = await startArtifactServer(config.storagePath, config.storageAddr);
  const advertised = config.storageAdvAddr.endsWith(":0")
    ? config.storageAdvAddr.replace(/:0$/, `:${artifacts.port}`)
    : config.storageAdvAddr;
  const storage = new ArtifactStorage({
    root: config.storagePath,
    advertisedAddress: advertised,
    retentionRecords: config.artifactRetentionRecords,
    retentionTtlMs: config.artifactRetentionTtlMs,
  });
  const manager = new Manager({
    log,
    registry,
    metricsAddr: config.metricsAddr,
    healthAddr: config.healthAddr,
    gracefulShutdownTimeoutMs: config.gracefulShutdownTimeoutMs,
    ...(config.leaderElect ? { leaderElector: elector(kc, config, env, log) } : {}),
  });
  const sourceOptions = {
    concurrency: config.concurrent,
    jitterPercent: config.intervalJitterPercent,
    backoff: backoffOf(config),
    ...(config.watchLabelSelector ? { labelSelector: config.watchLabelSelector } : {}),
    ...(config.watchNamespace ? { namespace: config.watchNamespace } : {}),
  };
  registerGitRepositoryController({
    kubeConfig: kc,
    manager,
    storage,
    // The cache sits under the storage root (one volume in a pod); the artifact server never
    // serves dot-paths.
    git: new GitClient({
      cacheRoot: join(config.storagePath, ".git-cache"),
      maxPackBytes: config.gitMaxPackBytes,
    }),
    options: { ...sourceOptions, requeueDependencyMs: config.requeueDependencyMs },
    recordEvent: (obj, e) => recorder.record(obj, e),
    log,
  });
  registerOCIRepositoryController({
    kubeConfig: kc,
    manager,
    storage,
    registry: new RegistryClient(),
    options: sourceOptions,
    recordEvent: (obj, e) => recorder.record(obj, e),
    log,
  });
  const ksOptions = kustomizationOptionsFor(config);
  registerArtifactGeneratorController({
    kubeConfig: kc,
    manager,
    storage,
    options: {
      noCrossNamespaceRefs: config.noCrossNamespaceRefs,
      requeueDependencyMs: config.requeueDependencyMs,
      jitterPercent: config.intervalJitterPercent,
      artifact: ksOptions.artifact,
      concurrency: config.concurrent,
      backoff: backoffOf(config),
      ...(config.watchLabelSelector ? { labelSelector: config.watchLabelSelector } : {}),
      ...(config.watchNamespace ? { namespace: config.watchNamespace } : {}),
    },
    recordEvent: (obj, e) => recorder.record(obj, e),
    log,
  });
  const applyOptions = { concurrency: config.concurrentSsa };
  const apply = new ApplyClusters(
    new ApplyManager(kc, applyOptions),
    (remote) => new ApplyManager(remote, applyOptions),
  );
  // Up to one build thread per concurrent reconcile; as many as cores render at once, and another
  // starts only for a build waiting behind one that has run for a second (thread-pool.ts).
  const renderPool = new RenderPool({ size: config.concurrent, maxHeapBytes: config.buildMaxHeapBytes });
  new KustomizationController({
    manager,
    kubeConfig: kc,
    client: new ApiKustomizationClient(kc, (obj, e) => recorder.record(obj, e)),
    apply,
    options: ksOptions,
    log,
    labelSelector: config.watchLabelSelector,
    namespace: config.watchNamespace,
    configsLabelSelector: config.watchConfigsLabelSelector,
    renderer: renderPool.render,
  });
  const receivers = await startReceivers(config, kc, { manager, recorder, log, signal });
  // Each closing step is bounded: an API server or client that stopped answering must not keep a
  // stopping process alive (issue 14).
  const done = manager.start(signal).finally(async () => {
    await settlesWithin(renderPool.close(), CLOSE_GRACE_MS);
    await settlesWithin(apply.close(), CLOSE_GRACE_MS);
    await settlesWithin(recorder.flush(), CLOSE_GRACE_MS);
    await settlesWithin(artifacts.close(), CLOSE_GRACE_MS);
    await settlesWithin(receivers.close(), CLOSE_GRACE_MS);
  });
  log.info(
    { storage: config.storagePath, artifacts: advertised, leaderElect: config.leaderElect },
    "mooring controller started",
  );
  return { storagePort: artifacts.port, receiverPort: receivers.port, manager, done };
}

/**
 * `--kube-api-qps`/`--kube-api-burst`, as Flux applies them: only when the API server does not
 * run API Priority and Fairness, which otherwise queues and sheds load per client itself.
 */
async function limitClientSide(
  kc: KubeConfig,
  config: ControllerConfig,
  registry: Registry,
  log: Logger,
): Promise<void> {
  const limit = { qps: config.kubeApiQps, burst: config.kubeApiBurst };
  if (await serverHasPriorityAndFairness(kc)) {
    log.info(
      { kubeApiQps: limit.qps, kubeApiBurst: limit.burst },
      "the API server runs API Priority and Fairness: client-side rate limiting is off, as in Flux (--kube-api-qps and --kube-api-burst apply to servers without it)",
    );
    return;
  }
  limitKubeRequests(kc, limit, rateLimiterWaitRecorder(registry));
}

/** The Receiver controller and webhook server; a stand-in that does nothing without the CRD. */
async function startReceivers(
  config: ControllerConfig,
  kc: KubeConfig,
  parts: {
    readonly manager: Manager;
    readonly recorder: EventRecorder;
    readonly log: Logger;
    readonly signal: AbortSignal;
  },
): Promise<{ readonly port: number | undefined; close(): Promise<void> }> {
  const { manager, recorder, log, signal } = parts;
  const running = await registerReceiverController({
    kubeConfig: kc,
    manager,
    signal,
    address: config.receiverAddr,
    recordEvent: (obj, e) => recorder.record(obj, e),
    log,
    options: {
      noCrossNamespaceRefs: config.noCrossNamespaceRefs,
      jitterPercent: config.intervalJitterPercent,
      backoff: backoffOf(config),
      ...(config.watchLabelSelector ? { labelSelector: config.watchLabelSelector } : {}),
      ...(config.watchNamespace ? { namespace: config.watchNamespace } : {}),
    },
  });
  return running ?? { port: undefined, close: () => Promise.resolve() };
}

function elector(
  kc: KubeConfig,
  config: ControllerConfig,
  env: RuntimeEnvironment,
  log: Logger,
): LeaderElector {
  const lease = { namespace: config.leaderElectionNamespace, name: leaderElectionId(config) };
  return new LeaderElector(
    apiLeaseClient(kc, lease),
    {
      identity: `${env.instance || hostname()}_${process.pid}`,
      leaseDurationMs: config.leaderElectionLeaseDurationMs,
      renewDeadlineMs: config.leaderElectionRenewDeadlineMs,
      retryPeriodMs: config.leaderElectionRetryPeriodMs,
      releaseOnCancel: config.leaderElectionReleaseOnCancel,
    },
    log,
  );
}
