import type { KubeConfig } from "@kubernetes/client-node";
import { type RunningControllers, startMooring } from "./controllers.js";
import { startFlux } from "./flux.js";

/** Worker counts of the two controllers, where a scenario sets them (otherwise each set's defaults). */
export interface Workers {
  source: number;
  kustomize: number;
}

/** flux-benchmark's Flux settings (its RESULTS.md): source-controller 10 workers, kustomize-controller 20. */
export const FLUX_BENCHMARK_WORKERS: Workers = { source: 10, kustomize: 20 };

/** What a scenario needs to start one controller set against the bench cluster. */
export interface StartOptions {
  kc: KubeConfig;
  kubeconfigPath: string;
  repoRoot: string;
  /** Flags both sets understand (e.g. --watch-label-selector). */
  args: string[];
  workers?: Workers | undefined;
  log: (line: string) => void;
}

/**
 * One side of a comparison: mooring, or its peer, each with its own default settings (mooring
 * --concurrent 4; Flux source-controller 2 workers, kustomize-controller 4) unless the scenario
 * sets {@link Workers}. Scenarios run mooring first, then the peer, one after the other and never
 * at once.
 */
export interface ControllerSet {
  /** Column heading. */
  readonly label: string;
  start(options: StartOptions): Promise<RunningControllers>;
}

export const MOORING: ControllerSet = {
  label: "mooring",
  // One flag sets both of mooring's controllers: the smaller count, so that neither of them has
  // more workers than its Flux counterpart.
  start: (o) =>
    startMooring(o.repoRoot, o.kubeconfigPath, [
      ...o.args,
      ...(o.workers ? ["--concurrent", String(Math.min(o.workers.source, o.workers.kustomize))] : []),
    ]),
};

export const FLUX: ControllerSet = {
  label: "Flux",
  start: (o) => startFlux(o),
};

/**
 * Flux as flux-benchmark installs it (github.com/fluxcd/flux-benchmark,
 * install-manifests/install/kustomization.yaml at 2623750, read 2026-12-07): source-controller
 * --concurrent=10; kustomize-controller --concurrent=20 and
 * --feature-gates=DisableStatusPollerCache=true (already the default of kustomize-controller
 * v1.2 and later, passed anyway so the set says what flux-benchmark says). Its other patches are
 * pod-level (CPU limit 2 and memory limit 2 GiB for kustomize-controller, a dedicated node), with
 * nothing to match when the controllers run as processes on this machine. The workers a scenario
 * asks for are ignored: this set is defined by its tuning.
 */
export const FLUX_BENCHMARK_TUNED: ControllerSet = {
  label: "Flux, flux-benchmark tuning",
  start: (o) =>
    startFlux({
      ...o,
      workers: FLUX_BENCHMARK_WORKERS,
      kustomizeArgs: ["--feature-gates=DisableStatusPollerCache=true"],
    }),
};

/**
 * `MOORING_BENCH_SETS=mooring` (or `flux`, `kubectl`, `git`, comma-separated) runs only those sides of a
 * comparison, e.g. to measure two mooring commits or flags in one sitting; the tables say "not run"
 * for the others. Default: every side. Where Flux runs as two sets (S6), `flux-defaults` and
 * `flux-tuned` pick one of them; `flux` means both.
 */
export function runsSide(
  side: "mooring" | "flux" | "flux-defaults" | "flux-tuned" | "kubectl" | "git",
): boolean {
  const only = process.env["MOORING_BENCH_SETS"];
  return only === undefined || only === "" || only.split(",").includes(side);
}
