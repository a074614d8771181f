/**
 * Where Kustomization builds run (issue 14). The controller renders on a pool of worker threads,
 * so a hostile or runaway repository costs one thread, never the event loop: each build has a
 * heap limit and a wall-clock limit (`spec.timeout`), and a build past either fails with
 * `BuildFailed` naming the limit while every other reconcile goes on. The CLI renders in process.
 */
import { availableParallelism } from "node:os";
import type { KubeObject } from "../apply/types.js";
import { siblingModule, ThreadLimitError, ThreadPool } from "../runtime/thread-pool.js";
import { formatDuration } from "../util/duration.js";
import { renderManifests, type RenderRequest } from "./render-manifests.js";

/** Limits of one render besides the input limits inside the request. */
export interface RenderOptions {
  /** `spec.timeout`: the build is stopped after this long. */
  readonly timeoutMs: number;
  /** Aborting stops the build (controller shutdown). */
  readonly signal?: AbortSignal;
}

/** Runs one build: in process, or on a thread of a {@link RenderPool}. */
export type ManifestRenderer = (request: RenderRequest, options: RenderOptions) => Promise<KubeObject[]>;

/** Renders on the calling thread, without a heap or time limit (the CLI, unit tests). */
export const renderInProcess: ManifestRenderer = (request) => renderManifests(request);

/** Settings of the controller's render threads. */
export interface RenderPoolOptions {
  /** Most threads (the controller gives one per concurrent reconcile). */
  readonly size: number;
  /** Heap limit of each build, in bytes (whole MiB). */
  readonly maxHeapBytes: number;
  /** Threads that render at once before builds share them (default: {@link defaultWarmThreads}). */
  readonly warm?: number;
}

const MIB = 1024 * 1024;

/**
 * Builds that run at once before they share threads: one core is left to the controller's own
 * thread, which applies, writes status and serves the caches while builds run. On 2 cores, one
 * build thread instead of two cost S1 (1,000 apps) no time beyond run-to-run noise and saved
 * 17-26 MiB of peak RSS, one isolate (bench/results/2026-12-07-s1-1000-build-threads.md).
 */
export function defaultWarmThreads(cores: number): number {
  return Math.max(1, cores - 1);
}

/**
 * Young generation of a build thread. A build's garbage is short-lived (YAML nodes, strings); with
 * V8's default young generation two threads rendering 200 builds of 90 objects peaked at 402 MiB
 * RSS, at 4 MiB at 148 MiB for about 5 % more CPU (Node 24, 2 cores).
 */
const BUILD_YOUNG_GENERATION_MIB = 4;

/** The controller's render threads; created and closed by the composition root. */
export class RenderPool {
  private readonly pool: ThreadPool;
  private readonly heapMib: number;

  constructor(options: RenderPoolOptions) {
    this.heapMib = Math.max(1, Math.floor(options.maxHeapBytes / MIB));
    this.pool = new ThreadPool({
      module: siblingModule(import.meta.url, "render-worker"),
      size: options.size,
      // Up to `warm` threads render at once; another starts only for a build stuck behind one
      // that has run for a second (a tenant's slow build never holds up the others for longer).
      warm: Math.min(options.size, options.warm ?? defaultWarmThreads(availableParallelism())),
      maxHeapMib: this.heapMib,
      maxYoungGenerationMib: BUILD_YOUNG_GENERATION_MIB,
    });
  }

  /** A {@link ManifestRenderer} on this pool; limit overruns become messages naming the limit. */
  readonly render: ManifestRenderer = async (request, options) => {
    try {
      return await this.pool.run<KubeObject[]>(request, options);
    } catch (err) {
      throw this.limitMessage(err, options) ?? err;
    }
  };

  /** Stops every thread (running builds fail). */
  close(): Promise<void> {
    return this.pool.close();
  }

  private limitMessage(err: unknown, options: RenderOptions): Error | undefined {
    if (!(err instanceof ThreadLimitError)) return undefined;
    const message =
      err.limit === "time"
        ? `build did not finish within spec.timeout ${formatDuration(options.timeoutMs)}`
        : `build exceeded its ${this.heapMib} MiB heap limit (controller flag --build-max-heap-bytes)`;
    return new Error(message, { cause: err });
  }
}
