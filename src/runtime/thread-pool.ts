/**
 * A pool of worker threads (node:worker_threads) that run CPU-heavy tasks off the event loop,
 * each under a heap limit and a wall-clock limit (issue 14: one tenant's build must never stall
 * or crash the controller).
 *
 * One task per thread at a time. A task that exceeds its heap limit (V8 stops the thread) or its
 * time limit (the pool terminates the thread) fails with {@link ThreadLimitError}; the thread is
 * replaced, and nothing else waits on it. Threads start on demand and exit after being idle for a
 * while, so an idle controller pays no memory for them.
 *
 * Each thread is a V8 isolate of its own (about 20 MB before its first task, its own young
 * generation and JIT code after), and on a machine with fewer cores than threads more threads only
 * add memory and warm-up CPU. So up to `warm` threads start as tasks need them; beyond that, one
 * more starts only when the running tasks have all been running for `spillAfterMs`: a task waits
 * for a busy thread only while that thread's task is young, never behind a long one.
 *
 * The worker module runs {@link serveTasks} (thread-worker.ts). Under tsx (tests, `npm run
 * mooring`) the module is TypeScript and the thread loads it through tsx's loader; from dist/ it
 * is the compiled JavaScript.
 */
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import type { TaskReply } from "./thread-worker.js";

/** Settings of a {@link ThreadPool}. */
export interface ThreadPoolOptions {
  /** The worker module (see {@link siblingModule}). */
  readonly module: URL;
  /** Most threads running at once; more tasks wait for a free thread. */
  readonly size: number;
  /** Old-generation heap limit of each thread, in MiB. */
  readonly maxHeapMib: number;
  /** A thread idle this long exits (default 30 s). */
  readonly idleExitMs?: number;
  /** Threads started whenever a task waits (default: `size`, i.e. no sharing). */
  readonly warm?: number;
  /** Past `warm`, a task older than this no longer holds its thread's share (default 1 s). */
  readonly spillAfterMs?: number;
  /** Young generation of each thread in MiB (V8's default when unset). */
  readonly maxYoungGenerationMib?: number;
}

/** Per-task limits. */
export interface TaskOptions {
  /** Wall-clock limit of the task once it runs on a thread. */
  readonly timeoutMs: number;
  /** Aborting terminates the task's thread. */
  readonly signal?: AbortSignal;
}

/** A task was stopped by one of its limits. */
export class ThreadLimitError extends Error {
  override readonly name = "ThreadLimitError";
  constructor(
    readonly limit: "heap" | "time",
    message: string,
  ) {
    super(message);
  }
}

/**
 * The module `name` next to `importMetaUrl`: `name.ts` when running from TypeScript sources
 * (tsx, vitest), `name.js` when running compiled.
 */
export function siblingModule(importMetaUrl: string, name: string): URL {
  const ext = importMetaUrl.endsWith(".ts") ? ".ts" : ".js";
  return new URL(`./${name}${ext}`, importMetaUrl);
}

/** Node options a thread needs to load `module`: tsx's loader for TypeScript, unless already there. */
function execArgvFor(module: URL): string[] | undefined {
  if (!module.pathname.endsWith(".ts")) return undefined;
  if (process.execArgv.some((a) => a.includes("tsx"))) return undefined;
  const loader = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
  return [...process.execArgv, "--import", loader];
}

interface Pending {
  readonly run: (thread: Thread) => void;
  readonly reject: (err: Error) => void;
}

/** One worker thread and the task it runs. */
class Thread {
  readonly worker: Worker;
  private task: { resolve: (v: unknown) => void; reject: (e: Error) => void; done: () => void } | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  /** When the running task started (performance.now()). */
  startedAt = 0;
  dead = false;

  constructor(
    private readonly pool: ThreadPool,
    options: ThreadPoolOptions,
  ) {
    const execArgv = execArgvFor(options.module);
    this.worker = new Worker(options.module, {
      ...(execArgv ? { execArgv } : {}),
      resourceLimits: {
        maxOldGenerationSizeMb: options.maxHeapMib,
        ...(options.maxYoungGenerationMib === undefined
          ? {}
          : { maxYoungGenerationSizeMb: options.maxYoungGenerationMib }),
      },
      stdout: false,
      stderr: false,
    });
    this.worker.on("message", (reply: TaskReply) => this.onReply(reply));
    this.worker.on("error", (err: Error & { code?: string }) => {
      const heap = err.code === "ERR_WORKER_OUT_OF_MEMORY";
      this.finish(
        heap ? new ThreadLimitError("heap", `exceeded its ${options.maxHeapMib} MiB heap limit`) : err,
      );
    });
    this.worker.on("exit", () => {
      this.finish(new Error("the worker thread exited"));
    });
  }

  get busy(): boolean {
    return this.task !== undefined;
  }

  run<T>(request: unknown, options: TaskOptions, idleExitMs: number): Promise<T> {
    clearTimeout(this.idleTimer);
    this.startedAt = performance.now();
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.finish(new ThreadLimitError("time", `did not finish within ${options.timeoutMs} ms`));
      }, options.timeoutMs);
      const onAbort = (): void =>
        this.finish(new Error("the task was cancelled", { cause: options.signal?.reason }));
      options.signal?.addEventListener("abort", onAbort, { once: true });
      this.task = {
        resolve: resolve as (v: unknown) => void,
        reject,
        done: () => {
          clearTimeout(timer);
          options.signal?.removeEventListener("abort", onAbort);
          this.idleTimer = setTimeout(() => this.terminate(), idleExitMs).unref();
        },
      };
      this.worker.postMessage(request);
    });
  }

  private onReply(reply: TaskReply): void {
    const task = this.task;
    if (task === undefined) return;
    this.task = undefined;
    task.done();
    if (reply.ok) task.resolve(reply.result);
    else task.reject(Object.assign(new Error(reply.error.message), reply.error));
    this.pool.released(this);
  }

  /** Fails the running task with `err` and retires the thread (its state is unknown now). */
  private finish(err: Error): void {
    const task = this.task;
    this.task = undefined;
    task?.done();
    this.terminate();
    task?.reject(err);
  }

  terminate(): void {
    clearTimeout(this.idleTimer);
    if (this.dead) return;
    this.dead = true;
    void this.worker.terminate();
    this.pool.retired(this);
  }
}

/** Runs tasks on worker threads; see the module comment. */
export class ThreadPool {
  private readonly threads = new Set<Thread>();
  private readonly waiting: Pending[] = [];
  private closed = false;
  private spillTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: ThreadPoolOptions) {
    if (options.size < 1) throw new Error("a thread pool needs at least one thread");
  }

  /** Runs `request` on a free thread and resolves with the worker's result. */
  run<T>(request: unknown, options: TaskOptions): Promise<T> {
    if (this.closed) return Promise.reject(new Error("the thread pool is closed"));
    if (options.signal?.aborted) return Promise.reject(new Error("the task was cancelled"));
    return new Promise<T>((resolve, reject) => {
      // Listens only while the task waits (a running task's thread listens on its own). A listener
      // left behind on a signal made by AbortSignal.any keeps that signal, the listener and all it
      // holds alive until the signal aborts, which a finished reconcile's signal never does: one
      // leak per build (issue 19, S6 memory).
      const onAbort = (): void => this.dropWaiting(pending);
      const stopListening = (): void => options.signal?.removeEventListener("abort", onAbort);
      const pending: Pending = {
        reject: (err) => {
          stopListening();
          reject(err);
        },
        run: (thread) => {
          stopListening();
          thread.run<T>(request, options, this.options.idleExitMs ?? 30_000).then(resolve, reject);
        },
      };
      this.waiting.push(pending);
      options.signal?.addEventListener("abort", onAbort, { once: true });
      this.dispatch();
    });
  }

  /** Terminates every thread; running and waiting tasks fail. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.spillTimer);
    for (const p of this.waiting.splice(0)) p.reject(new Error("the thread pool is closed"));
    const workers = [...this.threads].map((t) => t.worker);
    for (const t of [...this.threads]) t.terminate();
    await Promise.all(workers.map((w) => w.terminate()));
  }

  /** Threads alive now (running or idle). */
  get threadCount(): number {
    return this.threads.size;
  }

  /** @internal a thread finished its task. */
  released(_thread: Thread): void {
    this.dispatch();
  }

  /** @internal a thread is gone. */
  retired(thread: Thread): void {
    this.threads.delete(thread);
    this.dispatch();
  }

  private dropWaiting(pending: Pending): void {
    const at = this.waiting.indexOf(pending);
    if (at === -1) return;
    this.waiting.splice(at, 1);
    pending.reject(new Error("the task was cancelled"));
  }

  private dispatch(): void {
    while (this.waiting.length > 0 && !this.closed) {
      const thread = this.freeThread();
      if (thread === undefined) return;
      this.waiting.shift()!.run(thread);
    }
  }

  private freeThread(): Thread | undefined {
    for (const t of this.threads) if (!t.busy && !t.dead) return t;
    if (this.threads.size >= this.options.size) return undefined;
    if (!this.mayStartThread()) return undefined;
    const thread = new Thread(this, this.options);
    this.threads.add(thread);
    return thread;
  }

  /** Below `warm` threads, or every thread past `warm` is held by a task older than `spillAfterMs`. */
  private mayStartThread(): boolean {
    const warm = this.options.warm ?? this.options.size;
    if (this.threads.size < warm) return true;
    const spillAfter = this.options.spillAfterMs ?? 1000;
    const now = performance.now();
    let young = 0;
    let nextOld = Number.POSITIVE_INFINITY;
    for (const t of this.threads) {
      if (t.dead || !t.busy || now - t.startedAt >= spillAfter) continue;
      young++;
      nextOld = Math.min(nextOld, t.startedAt + spillAfter);
    }
    if (young < warm) return true;
    // Look again when the oldest young task turns old (a task that finishes first dispatches anyway).
    clearTimeout(this.spillTimer);
    this.spillTimer = setTimeout(() => this.dispatch(), Math.max(1, nextOld - now)).unref();
    return false;
  }
}
