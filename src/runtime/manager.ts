/**
 * The Manager runs a process's controllers (controller-runtime's Manager): it starts the shared
 * informers, waits for their caches to sync, campaigns for leadership when configured, runs each
 * controller's workers only while leading, serves `/healthz`, `/readyz` and `/metrics`, and on
 * shutdown drains in-flight reconciles within a deadline before aborting them.
 */
import type { Logger } from "pino";
import type { Registry } from "prom-client";
import { Controller, type ControllerOptions } from "./controller.js";
import { startProbeServer } from "./health-server.js";
import type { ListeningServer } from "./listen.js";
import type { Informer } from "./informer/informer.js";
import type { MetaObject } from "./informer/types.js";
import { SharedInformers } from "./informer/shared-informers.js";
import type { KubeConfig } from "./kubeconfig/index.js";
import { LeaderElector } from "./leader-election.js";

/** Manager settings (built once by the composition root). */
export interface ManagerOptions {
  readonly log: Logger;
  readonly registry: Registry;
  /** `--metrics-addr` (e.g. `:8080`); no metrics server when absent. */
  readonly metricsAddr?: string;
  /** `--health-addr` (e.g. `:9440`); no health server when absent. */
  readonly healthAddr?: string;
  /** Present when `--enable-leader-election`. */
  readonly leaderElector?: LeaderElector;
  /**
   * `--graceful-shutdown-timeout`: how long in-flight reconciles may run after a shutdown request
   * before they are aborted (default 25 s, well inside the pod's 60 s grace period).
   */
  readonly gracefulShutdownTimeoutMs?: number;
  /**
   * How long aborted reconciles, informers and servers get to return before the manager gives up
   * on them and goes on to release the Lease (default 5 s). Something that ignores its abort
   * signal must not keep the process, or the Lease, past the pod's grace period.
   */
  readonly abortGraceMs?: number;
}

/** The default drain window: Flux's helm-controller flag, sized for a 60 s termination grace period. */
export const DEFAULT_GRACEFUL_SHUTDOWN_TIMEOUT_MS = 25_000;
const DEFAULT_ABORT_GRACE_MS = 5_000;

/**
 * Something that runs only while this process leads, next to the controllers (controller-runtime's
 * leader-election runnable): started with them, drained or aborted with them.
 */
export interface Runnable {
  start(): unknown;
  /**
   * Stops taking work and waits for in-flight work; `abort` signals it to end early. Called with
   * `false` when a drain begins (waits that only watch the cluster may end at once then), and
   * with `true` once the drain window has passed.
   */
  stop(abort: boolean): Promise<void>;
  /** Work in flight right now (counted in the shutdown log line). */
  readonly active?: number;
}

/** Leadership was lost; the process should exit non-zero and be restarted. */
export class LeadershipLostError extends Error {
  override readonly name = "LeadershipLostError";
}

/** Owns controllers, informers and the probe servers of one process. */
export class Manager {
  private readonly controllers: Controller[] = [];
  private readonly runnables: Runnable[] = [];
  private readonly informers = new Set<Informer<MetaObject>>();
  private readonly shared = new WeakMap<KubeConfig, SharedInformers>();
  private readonly servers: ListeningServer[] = [];
  private leading = false;

  constructor(private readonly options: ManagerOptions) {}

  /** The metrics registry `/metrics` serves: controllers register their own metrics on it. */
  get registry(): Registry {
    return this.options.registry;
  }

  /** Registers an informer to start with the manager (controllers' watched informers are added too). */
  addInformer<T extends MetaObject>(informer: Informer<T>): void {
    this.informers.add(informer as unknown as Informer<MetaObject>);
  }

  /**
   * The informers every controller of this manager shares on the cluster of `kubeConfig`: one per
   * collection and selector, so a kind two controllers follow is listed, watched and cached once.
   */
  sharedInformers(kubeConfig: KubeConfig): SharedInformers {
    let informers = this.shared.get(kubeConfig);
    if (informers === undefined) {
      informers = new SharedInformers(kubeConfig, this.options.log);
      this.shared.set(kubeConfig, informers);
    }
    return informers;
  }

  /** Creates and registers a controller; add its watches before {@link start}. */
  addController(options: Omit<ControllerOptions, "log" | "registry"> & { log?: Logger }): Controller {
    const controller = new Controller({
      ...options,
      log: options.log ?? this.options.log,
      registry: this.options.registry,
    });
    this.controllers.push(controller);
    return controller;
  }

  /** Registers a runnable that starts and stops with the controllers (gated by leader election). */
  addRunnable(runnable: Runnable): void {
    this.runnables.push(runnable);
  }

  /** True while this process's controllers run (always, without leader election). */
  isLeading(): boolean {
    return this.leading;
  }

  /** Probe servers' bound ports (for tests using port 0). */
  get ports(): { metrics?: number; health?: number } {
    const [first, second] = this.servers;
    if (this.options.metricsAddr !== undefined) return { metrics: first?.port, health: second?.port };
    return { health: first?.port };
  }

  /**
   * Runs until `signal` aborts (then drains and resolves) or leadership is lost (then stops all
   * reconciles and rejects with {@link LeadershipLostError}).
   */
  async start(signal: AbortSignal): Promise<void> {
    for (const c of this.controllers) c.informers.forEach((i) => this.informers.add(i));
    await this.startServers();
    this.informers.forEach((i) => i.start());
    try {
      await Promise.all([...this.informers].map((i) => i.waitForSync(signal)));
      this.options.log.info({ informers: this.informers.size }, "caches synced");
      const end = await this.runControllers(signal);
      if (end === "lost") throw new LeadershipLostError("leader election lost");
    } catch (err) {
      if (!signal.aborted) throw err;
    } finally {
      await this.shutdown();
    }
  }

  private async runControllers(signal: AbortSignal): Promise<"cancelled" | "lost"> {
    const elector = this.options.leaderElector;
    if (elector === undefined) {
      this.startControllers();
      await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
      await this.drain();
      return "cancelled";
    }
    return elector.run(
      {
        onStartedLeading: () => this.startControllers(),
        onStoppedLeading: async () => {
          this.leading = false;
          // Drain (or abort, when leadership was lost) before the lease is given up.
          await (signal.aborted ? this.drain() : this.abortAll());
        },
      },
      signal,
    );
  }

  private startControllers(): void {
    this.leading = true;
    this.options.log.info({ controllers: this.controllers.map((c) => c.options.name) }, "starting workers");
    this.controllers.forEach((c) => c.start());
    this.runnables.forEach((r) => r.start());
  }

  /** Lets in-flight reconciles finish until the deadline, then aborts them. */
  private async drain(): Promise<void> {
    const timeoutMs = this.options.gracefulShutdownTimeoutMs ?? DEFAULT_GRACEFUL_SHUTDOWN_TIMEOUT_MS;
    this.options.log.info({ inFlight: this.inFlight(), timeoutMs }, "shutting down, draining reconciles");
    const stopped = Promise.all([...this.controllers, ...this.runnables].map((c) => c.stop(false)));
    if (!(await settlesWithin(stopped, timeoutMs))) {
      this.options.log.warn(
        { inFlight: this.inFlight() },
        "graceful shutdown deadline passed, aborting in-flight reconciles",
      );
      await this.abortAll();
    }
  }

  /**
   * Aborts every in-flight reconcile and waits for them to return, at most the abort grace: one
   * that ignores its signal is left behind (the process is about to exit) rather than holding
   * the Lease.
   */
  private async abortAll(): Promise<void> {
    const stopped = Promise.all([...this.controllers, ...this.runnables].map((c) => c.stop(true)));
    if (!(await settlesWithin(stopped, this.abortGraceMs))) {
      this.options.log.error(
        { inFlight: this.inFlight(), graceMs: this.abortGraceMs },
        "aborted reconciles did not return in time; giving up on them",
      );
    }
  }

  private get abortGraceMs(): number {
    return this.options.abortGraceMs ?? DEFAULT_ABORT_GRACE_MS;
  }

  /** Reconciles running now, in every controller and runnable. */
  private inFlight(): number {
    const runnables = this.runnables.reduce((n, r) => n + (r.active ?? 0), 0);
    return this.controllers.reduce((n, c) => n + c.active, runnables);
  }

  private async startServers(): Promise<void> {
    const { metricsAddr, healthAddr, registry } = this.options;
    if (metricsAddr !== undefined) this.servers.push(await startProbeServer(metricsAddr, { registry }));
    if (healthAddr !== undefined) {
      this.servers.push(
        await startProbeServer(healthAddr, {
          healthChecks: { ping: () => true },
          readyChecks: { "informers-synced": () => [...this.informers].every((i) => i.hasSynced()) },
        }),
      );
    }
  }

  /** Stops informers and probe servers, each bounded by the abort grace (a watch stuck connecting). */
  private async shutdown(): Promise<void> {
    const informers = Promise.all([...this.informers].map((i) => i.stop()));
    const servers = Promise.all(this.servers.splice(0).map((s) => s.close()));
    const closed = await settlesWithin(Promise.all([informers, servers]), this.abortGraceMs);
    this.options.log.info({ closed }, "manager stopped");
  }
}

/**
 * True when `work` settles (either way) within `ms`; false when the time ran out first. The timer
 * never keeps the process alive.
 */
export async function settlesWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
    timer.unref();
  });
  const settled = work.then(
    () => true as const,
    () => true as const,
  );
  try {
    return await Promise.race([settled, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * An AbortSignal that fires on the first SIGTERM or SIGINT; a second signal exits at once with
 * code 1 (controller-runtime's behaviour). For the composition root and process-level tests.
 */
export function shutdownSignal(onSecond: () => void = () => process.exit(1)): AbortSignal {
  const controller = new AbortController();
  const handler = (): void => {
    if (controller.signal.aborted) return onSecond();
    controller.abort(new Error("shutdown requested"));
  };
  process.on("SIGTERM", handler);
  process.on("SIGINT", handler);
  return controller.signal;
}
