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
}

/**
 * One side of a comparison: mooring, or its peer, each with its own default settings (mooring
 * --concurrent 4; Flux source-controller 2 workers, kustomize-controller 4). Scenarios run mooring first, then the peer, one
 * after the other and never at once.
 */
export interface ControllerSet {
  /** Column heading. */
  readonly label: string;
  start(options: StartOptions): Promise<RunningControllers>;
}

export const MOORING: ControllerSet = {
  label: "mooring",
  start: (o) => startMooring(o.repoRoot, o.kubeconfigPath, o.args),
};

export const FLUX: ControllerSet = {
  label: "Flux",
  start: (o) => startFlux(o),
};
