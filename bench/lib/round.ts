import type { KubeConfig } from "@kubernetes/client-node";
import { type GitServer, startGitServer } from "../../src/dev/git-server/index.js";
import type { BenchContext } from "../run.js";
import type { ControllerSet, Workers } from "./controller-sets.js";
import type { RunningControllers } from "./controllers.js";
import { ensureCrds, shardArgs } from "./gitops.js";

/** What a round's setup works with, before the controllers start. */
export interface RoundSetup {
  kc: KubeConfig;
  kubeconfigPath: string;
  /** The round's namespace, which is also its shard key. */
  ns: string;
  server: GitServer;
}

/** A round with its controllers running. */
export interface Round extends RoundSetup {
  controller: RunningControllers;
}

/** How {@link inRound} sets a round up. */
export interface RoundOptions {
  /** Prefix of the namespace (`s3` → `s3-mooring-<time>`), unless `ns` names it. */
  scenario: string;
  ns?: string;
  /**
   * A git server the scenario owns, to serve the same repositories to both sets' rounds (creating
   * a thousand repositories twice costs minutes). A fresh one per round when absent.
   */
  server?: GitServer;
  /** Worker counts for both sets; each set's defaults when absent. */
  workers?: Workers;
  /** Runs before the controllers start (repositories, namespaces): not part of any measurement. */
  prepare?: (setup: RoundSetup) => Promise<void>;
}

/**
 * One controller set's round: a fresh control plane (the previous round's objects must not load
 * this one), the CRDs, a git server, the set started on the round's shard; `body` measures. On a
 * failure the controllers' last output is logged; everything is stopped either way.
 */
export async function inRound<T>(
  ctx: BenchContext,
  set: ControllerSet,
  options: RoundOptions,
  body: (round: Round) => Promise<T>,
): Promise<T> {
  await ctx.resetCluster();
  const { kc, kubeconfigPath } = await ctx.cluster();
  await ensureCrds(kc, ctx.repoRoot);
  // A label such as "Flux, flux-benchmark tuning" becomes "flux-flux-benchmark-tuning".
  const slug = set.label.toLowerCase().replace(/[^a-z0-9]+/g, "-");
  const ns = options.ns ?? `${options.scenario}-${slug}-${Date.now().toString(36)}`;
  const server = options.server ?? (await startGitServer());
  try {
    const prepared = Date.now();
    await options.prepare?.({ kc, kubeconfigPath, ns, server });
    ctx.log(
      `[bench] ${options.scenario} ${set.label}: set-up took ${((Date.now() - prepared) / 1000).toFixed(1)} s`,
    );
    const controller = await set.start({
      kc,
      kubeconfigPath,
      repoRoot: ctx.repoRoot,
      args: shardArgs(ns),
      workers: options.workers,
      log: ctx.log,
    });
    try {
      return await body({ kc, kubeconfigPath, ns, server, controller });
    } catch (err) {
      ctx.log(
        `[bench] ${options.scenario} ${set.label} failed; controller output:\n${controller.outputTail()}`,
      );
      throw err;
    } finally {
      await controller.stop();
    }
  } finally {
    if (!options.server) await server.stop();
  }
}
