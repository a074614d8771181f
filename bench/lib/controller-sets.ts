import type { KubeConfig } from "@kubernetes/client-node";
import { type RunningControllers, startMooring } from "./controllers.js";
import { startFlux } from "./flux.js";

/** What a scenario needs to start one controller set against the bench cluster. */
export interface StartOptions {
  kc: KubeConfig;
  kubeconfigPath: string;
  repoRoot: string;
  /** Flags both sets understand (e.g. --watch-label-selector). */
  args: string[];
  log: (line: string) => void;
  /** Worker counts and dependency requeue; each set's defaults when absent. */
  tuning?: Tuning;
}

/**
 * The knobs flux-benchmark turns. mooring has one `--concurrent` for both of its controllers (one
 * Node thread), so it takes the Kustomization figure; Flux gets each figure on its own controller.
 */
export interface Tuning {
  sourceConcurrent: number;
  kustomizeConcurrent: number;
  requeueDependency: string;
}

/** flux-benchmark's settings (source-controller 10 workers, kustomize-controller 20). */
export const FLUX_BENCHMARK_TUNING: Tuning = {
  sourceConcurrent: 10,
  kustomizeConcurrent: 20,
  requeueDependency: "5s",
};

/**
 * One side of a comparison: mooring, or its peer. Scenarios run mooring first, then the peer, one
 * after the other and never at once.
 */
export interface ControllerSet {
  /** Column heading. */
  readonly label: string;
  start(options: StartOptions): Promise<RunningControllers>;
}

export const MOORING: ControllerSet = {
  label: "mooring",
  start: (o) =>
    startMooring(o.repoRoot, o.kubeconfigPath, [
      ...o.args,
      ...(o.tuning
        ? [
            `--concurrent=${o.tuning.kustomizeConcurrent}`,
            `--requeue-dependency=${o.tuning.requeueDependency}`,
          ]
        : []),
    ]),
};

export const FLUX: ControllerSet = {
  label: "Flux",
  start: (o) =>
    startFlux({
      ...o,
      source: o.tuning ? [`--concurrent=${o.tuning.sourceConcurrent}`] : [],
      kustomize: o.tuning
        ? [
            `--concurrent=${o.tuning.kustomizeConcurrent}`,
            `--requeue-dependency=${o.tuning.requeueDependency}`,
          ]
        : [],
    }),
};
