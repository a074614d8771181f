import { commitGeneratedTree, FULL_SHAPE, QUICK_SHAPE } from "../git-repo.js";
import { gitScenario } from "../git.js";
import { type ControllerSet, FLUX, MOORING, runsSide } from "../lib/controller-sets.js";
import { fluxStatus, gitRepository, namespace, requestReconcile, sharded } from "../lib/gitops.js";
import { benchApply, pollUntil } from "../lib/kube.js";
import type { ScenarioReport } from "../lib/report.js";
import { inRound } from "../lib/round.js";
import { formatMs, ratio, summarise } from "../lib/stats.js";
import type { BenchContext } from "../run.js";

/** What one controller set did with the large repository. */
interface SourceRound {
  artifactMs: number[];
  noopMs: number[];
  rssKb: number;
}

/**
 * One controller set on a fresh control plane: `runs` new GitRepositories of the large repository,
 * each timed from creation to Ready with an artifact (a full fetch each: a new object has no
 * cache), then `runs` no-op reconciles of the last one (requestedAt to lastHandledReconcileAt).
 */
async function sourceRound(ctx: BenchContext, set: ControllerSet, runs: number): Promise<SourceRound> {
  return inRound(ctx, set, { scenario: "s4" }, async ({ kc, ns, server, controller }) => {
    const repo = await server.createRepo("s4");
    await commitGeneratedTree(repo, ctx.quick ? QUICK_SHAPE : FULL_SHAPE);
    await benchApply(kc, namespace(ns));
    const artifactMs: number[] = [];
    const noopMs: number[] = [];
    let last = sharded(gitRepository(ns, "s4-0", repo.url), ns);
    for (let i = 0; i < runs; i++) {
      last = sharded(gitRepository(ns, `s4-${i}`, repo.url), ns);
      const started = performance.now();
      await benchApply(kc, last);
      await pollUntil(
        `GitRepository s4-${i} Ready (${set.label})`,
        async () => (await fluxStatus(kc, last)).ready,
        300_000,
        20,
      );
      artifactMs.push(performance.now() - started);
    }
    for (let i = 0; i < runs; i++) {
      const started = performance.now();
      const token = await requestReconcile(kc, last);
      await pollUntil(
        `no-op reconcile (${set.label})`,
        async () => (await fluxStatus(kc, last)).lastHandledReconcileAt === token,
        120_000,
        20,
      );
      noopMs.push(performance.now() - started);
    }
    return { artifactMs, noopMs, rssKb: await controller.peakRssKb() };
  });
}

const median = (xs: number[]): number => summarise(xs).median;

const notRun: SourceRound = { artifactMs: [], noopMs: [], rssKb: 0 };

/** The in-process part against git, or an empty table when MOORING_BENCH_SETS leaves `git` out. */
async function referenceReport(ctx: BenchContext): Promise<ScenarioReport> {
  if (runsSide("git")) return gitScenario(ctx);
  return {
    scenario: "S-GIT",
    title: "GitRepository artifact of a generated repository (git reference not run)",
    header: ["measure", "mooring", "Flux source-controller", "ratio (Flux / mooring)"],
    rows: [],
  };
}

/**
 * S4: the source controller's artifact and no-op poll against git itself (bench/git.ts, in
 * process), then both controller sets end to end on the same repository.
 */
export async function s4Git(ctx: BenchContext): Promise<ScenarioReport> {
  const report = await referenceReport(ctx);
  const runs = ctx.quick ? 2 : 3;
  const m = runsSide("mooring") ? await sourceRound(ctx, MOORING, runs) : notRun;
  const f = runsSide("flux") ? await sourceRound(ctx, FLUX, runs) : notRun;
  const mib = (kb: number): string => (kb > 0 ? `${Math.round(kb / 1024)} MiB` : "not run");
  const ms = (xs: number[]): string => (xs.length > 0 ? formatMs(summarise(xs)) : "not run");
  const both = m.rssKb > 0 && f.rssKb > 0;
  return {
    ...report,
    scenario: "S4",
    title: `git: ${report.title}`,
    rows: [
      ...report.rows,
      ["**controllers, end to end**", "mooring", "Flux source-controller", "ratio (Flux / mooring)"],
      [
        "GitRepository created → Ready with artifact",
        ms(m.artifactMs),
        ms(f.artifactMs),
        both ? ratio(median(f.artifactMs), median(m.artifactMs)) : "",
      ],
      [
        "no-op reconcile (requestedAt → handled)",
        ms(m.noopMs),
        ms(f.noopMs),
        both ? ratio(median(f.noopMs), median(m.noopMs)) : "",
      ],
      ["controller peak RSS", mib(m.rssKb), mib(f.rssKb), both ? ratio(f.rssKb, m.rssKb) : ""],
    ],
    notes: [
      ...(report.notes ?? []),
      `Controllers: each set alone on a fresh control plane (see S1); ${runs} new GitRepositories of the repository one after another (each a full fetch: a new object has no cache), then ${runs} no-op reconciles of the last one. mooring's RSS is the whole controller process (Kustomization side included); Flux's is source-controller and kustomize-controller summed.`,
    ],
  };
}
