/**
 * A running source controller for integration tests, the bench and the quick-start demo: the
 * runtime manager with the GitRepository and OCIRepository controllers, an artifact store in a temp dir served over
 * HTTP, events to the API server, and every log line kept in memory so tests can grep them.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { KubeConfig } from "../runtime/kubeconfig/index.js";
import { Registry } from "prom-client";
import { apiEventSink } from "../runtime/event-sink.js";
import { EventRecorder } from "../runtime/events.js";
import { createLogger } from "../runtime/logging.js";
import { Manager } from "../runtime/manager.js";
import { GitClient } from "./git-client.js";
import { registerGitRepositoryController } from "./gitrepository-controller.js";
import { RegistryClient } from "./oci/registry-client.js";
import { registerOCIRepositoryController } from "./ocirepository-controller.js";
import type { ListeningServer } from "../runtime/listen.js";
import { startArtifactServer } from "./server.js";
import { ArtifactStorage } from "./storage.js";

/** Options of {@link startSourceController}. */
export interface SourceHarnessOptions {
  readonly retentionRecords?: number;
  readonly retentionTtlMs?: number;
  readonly maxPackBytes?: number;
  readonly requeueDependencyMs?: number;
  /** Only reconcile objects matching this label selector (isolates parallel test files). */
  readonly labelSelector?: string;
}

/** A running controller and what tests inspect. */
export interface SourceHarness {
  readonly storage: ArtifactStorage;
  readonly server: ListeningServer;
  readonly git: GitClient;
  /** Every JSON log line written so far. */
  readonly logs: string[];
  stop(): Promise<void>;
}

/** Starts the GitRepository controller against the cluster of `kc`. */
export async function startSourceController(
  kc: KubeConfig,
  opts: SourceHarnessOptions = {},
): Promise<SourceHarness> {
  const dir = await mkdtemp(join(tmpdir(), "mooring-source-"));
  const server = await startArtifactServer(join(dir, "storage"), "127.0.0.1:0");
  const storage = new ArtifactStorage({
    root: join(dir, "storage"),
    advertisedAddress: `127.0.0.1:${server.port}`,
    retentionRecords: opts.retentionRecords ?? 2,
    retentionTtlMs: opts.retentionTtlMs ?? 60_000,
  });
  const git = new GitClient({
    cacheRoot: join(dir, "cache"),
    ...(opts.maxPackBytes ? { maxPackBytes: opts.maxPackBytes } : {}),
  });
  const logs: string[] = [];
  const log = createLogger({
    level: "debug",
    destination: { write: (line: string) => void logs.push(line) },
  });
  const recorder = new EventRecorder({ sink: apiEventSink(kc), component: "source-controller", log });
  const manager = new Manager({ log, registry: new Registry(), gracefulShutdownTimeoutMs: 5_000 });
  const registry = new RegistryClient();
  registerOCIRepositoryController({
    kubeConfig: kc,
    manager,
    storage,
    registry,
    options: { tmpDir: dir, ...(opts.labelSelector ? { labelSelector: opts.labelSelector } : {}) },
    recordEvent: (obj, e) => recorder.record(obj, e),
    log,
  });
  registerGitRepositoryController({
    kubeConfig: kc,
    manager,
    storage,
    git,
    options: {
      requeueDependencyMs: opts.requeueDependencyMs ?? 1_000,
      tmpDir: dir,
      ...(opts.labelSelector ? { labelSelector: opts.labelSelector } : {}),
    },
    recordEvent: (obj, e) => recorder.record(obj, e),
    log,
  });
  const abort = new AbortController();
  const running = manager.start(abort.signal);
  return {
    storage,
    server,
    git,
    logs,
    async stop() {
      abort.abort();
      await running.catch(() => undefined);
      await recorder.flush();
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
