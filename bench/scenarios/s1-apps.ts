import { availableParallelism } from "node:os";
import { type GitServer, startGitServer } from "../../src/dev/git-server/index.js";
import { Semaphore } from "../../src/runtime/semaphore.js";
import {
  type ControllerSet,
  FLUX,
  FLUX_BENCHMARK_WORKERS,
  MOORING,
  runsSide,
} from "../lib/controller-sets.js";
import { DeploymentStatusWriter } from "../lib/deployment-status.js";
import { KustomizationsReady } from "../lib/watch.js";
import { gitRepository, kustomization, namespace, sharded } from "../lib/gitops.js";
import {
  benchApply,
  type BenchObject,
  countDelta,
  requestCountsBy,
  total,
  type VerbCounts,
} from "../lib/kube.js";
import type { ScenarioReport } from "../lib/report.js";
import { inRound, type RoundSetup } from "../lib/round.js";
import { ratio } from "../lib/stats.js";
import { FLUX_CONTROLLER_VERSIONS } from "../../src/dev/flux/controllers.js";
import { appFiles } from "../lib/workload.js";
import { benchCpuSeconds, pidsCpuSeconds, setCpuSeconds } from "../lib/controllers.js";
import { s1Phases } from "../lib/s1-phases.js";
import { seedRepos } from "../lib/git-seed.js";
import type { BenchContext } from "../run.js";

const SCENARIO_LABEL = "bench.mooring.dev/scenario";

/** The N apps' Flux objects, labelled with the shard key so only this round's controller sees them. */
function appObjects(ns: string, urls: string[], shard: string): BenchObject[] {
  const objs: BenchObject[] = [];
  for (const [i, url] of urls.entries()) {
    const name = `app-${i}`;
    const repo = gitRepository(ns, name, url);
    const ks = kustomization(ns, name, {
      source: name,
      path: "./",
      wait: true,
      targetNamespace: ns,
    });
    objs.push(sharded(repo, shard), sharded(ks, shard));
  }
  return objs;
}

/**
 * One repository per app, as flux-benchmark gives each app its own artifact: with one shared
 * repository every artifact would hold all N apps, and both controller sets would spend the round
 * packing and unpacking N² files.
 */
function appRepositories(server: GitServer, n: number): Promise<string[]> {
  return seedRepos(server, n, "app", (i) => appFiles(`app-${i}`, { [SCENARIO_LABEL]: "s1" }));
}

/** Where the machine's CPU went during a round, against what its cores could give in that time. */
function cpuShares(r: Round): string {
  const available = (r.ms / 1000) * availableParallelism();
  const share = (s: number): string => `${s.toFixed(1)} CPU-s (${((100 * s) / available).toFixed(0)}%)`;
  return `CPU over the round, of ${available.toFixed(0)} CPU-s the machine's cores had: controllers ${share(r.cpuS)}, control plane (etcd, kube-apiserver, kube-controller-manager) ${share(r.clusterCpuS)}, bench process with the git server and its git http-backend processes ${share(r.benchCpuS)}.`;
}

interface Round {
  ms: number;
  rssKb: number;
  /** CPU seconds of the set's processes from creating the objects to all Ready. */
  cpuS: number;
  /** Where the time went per app (see s1Phases). */
  phases: string;
  /** CPU seconds of the other processes over the same span: where the machine's time went. */
  clusterCpuS: number;
  benchCpuS: number;
  /** API requests per app over the same span, by resource and verb (the bench's own included). */
  requests: string;
}

/** Every API request, keyed `resource VERB` (`kustomizations PATCH`). */
const requestsOf = (kubeconfigPath: string): Promise<VerbCounts> =>
  requestCountsBy(kubeconfigPath, (resource, verb) => `${resource || "(non-resource)"} ${verb}`);

/** The most frequent requests per app, e.g. `kustomizations PATCH 3.1, events POST 2.0`. */
function requestsPerApp(delta: VerbCounts, n: number): string {
  const all = total(delta);
  const top = Object.entries(delta)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 16)
    .map(([key, count]) => `${key} ${(count / n).toFixed(1)}`);
  return `${(all / n).toFixed(1)} (${top.join(", ")})`;
}

/**
 * One round at N apps for one controller set: time to all Ready and the set's peak RSS. Both sets'
 * rounds read the same repositories on one git server.
 */
async function round(
  ctx: BenchContext,
  set: ControllerSet,
  n: number,
  repos: { server: GitServer; urls: string[] },
): Promise<Round> {
  const { server, urls } = repos;
  const prepare = async ({ kc, ns }: RoundSetup): Promise<void> => {
    await benchApply(kc, namespace(ns));
  };
  const ns = `s1-${set.label.toLowerCase()}-n${n}-${Date.now().toString(36)}`;
  const options = { scenario: "s1", ns, prepare, server, workers: FLUX_BENCHMARK_WORKERS };
  return inRound(ctx, set, options, async ({ kc, kubeconfigPath, controller }) => {
    const statusWriter = new DeploymentStatusWriter(kc, `${SCENARIO_LABEL}=s1`);
    const readyWatch = new KustomizationsReady(kc, ns, (ready) =>
      ctx.log(`[bench] S1 ${set.label} N=${n}: ${ready}/${n} Ready`),
    );
    try {
      const clusterPids = (await ctx.cluster()).pids;
      const started = performance.now();
      const cpuStart = await setCpuSeconds(controller);
      const clusterCpuStart = await pidsCpuSeconds(clusterPids);
      const benchCpuStart = await benchCpuSeconds();
      const requestsStart = await requestsOf(kubeconfigPath);
      const sem = new Semaphore(16);
      await Promise.all(appObjects(ns, urls, ns).map((o) => sem.run(() => benchApply(kc, o))));
      await readyWatch.until(n, ctx.quick ? 300_000 : 45 * 60_000);
      const result = {
        ms: performance.now() - started,
        rssKb: await controller.peakRssKb(),
        cpuS: (await setCpuSeconds(controller)) - cpuStart,
        clusterCpuS: (await pidsCpuSeconds(clusterPids)) - clusterCpuStart,
        benchCpuS: (await benchCpuSeconds()) - benchCpuStart,
        requests: requestsPerApp(countDelta(requestsStart, await requestsOf(kubeconfigPath)), n),
        phases: await s1Phases(kc, ns),
      };
      ctx.log(
        `[bench] S1 ${set.label} N=${n}: all Ready in ${(result.ms / 1000).toFixed(1)} s, peak RSS ${Math.round(result.rssKb / 1024)} MiB, ${result.cpuS.toFixed(1)} CPU-s; per app p50/p95: ${result.phases}`,
      );
      return result;
    } finally {
      await Promise.all([statusWriter.stop(), readyWatch.stop()]);
    }
  });
}

/**
 * S1, after flux-benchmark: N apps, each a GitRepository and a Kustomization (wait: true,
 * prune: true) of a ServiceAccount, a Service, an Ingress and a Deployment at 0 replicas; time from
 * creating them to all Ready, and the controller's peak RSS.
 */
export async function s1Apps(ctx: BenchContext): Promise<ScenarioReport> {
  // MOORING_BENCH_S1_SIZES=100,500 runs a subset (the full set takes about an hour on 2 cores).
  const sizes =
    process.env["MOORING_BENCH_S1_SIZES"]?.split(",").map(Number) ?? (ctx.quick ? [20] : [100, 500, 1000]);
  const rows: string[][] = [];
  const phaseNotes: string[] = [];
  for (const n of sizes) {
    const server = await startGitServer();
    const [m, f] = await (async () => {
      try {
        const repos = { server, urls: await appRepositories(server, n) };
        const m = runsSide("mooring") ? await round(ctx, MOORING, n, repos) : undefined;
        return [m, runsSide("flux") ? await round(ctx, FLUX, n, repos) : undefined];
      } finally {
        await server.stop();
      }
    })();
    for (const [label, r] of [
      ["mooring", m],
      ["Flux", f],
    ] as const)
      if (r)
        phaseNotes.push(
          `N=${n} ${label}, per app p50/p95: ${r.phases}. ${cpuShares(r)} API requests per app, all clients: ${r.requests}.`,
        );
    const mib = (r: Round | undefined): string => (r ? `${Math.round(r.rssKb / 1024)} MiB` : "not run");
    const secs = (r: Round | undefined, v: (r: Round) => number): string =>
      r ? `${v(r).toFixed(1)} s` : "not run";
    const both = (v: (r: Round) => number): string => (m && f ? ratio(v(f), v(m)) : "—");
    rows.push([
      String(n),
      secs(m, (r) => r.ms / 1000),
      secs(f, (r) => r.ms / 1000),
      both((r) => r.ms),
      mib(m),
      mib(f),
      both((r) => r.rssKb),
      secs(m, (r) => r.cpuS),
      secs(f, (r) => r.cpuS),
    ]);
  }
  return {
    scenario: "S1",
    title: "flux-benchmark: N GitRepository-backed Kustomizations of 4 objects, creation to all Ready",
    header: [
      "N",
      "mooring: all Ready",
      "Flux: all Ready",
      "speed-up",
      "mooring peak RSS",
      "Flux peak RSS",
      "RSS ratio",
      "mooring CPU",
      "Flux CPU",
    ],
    rows,
    notes: [
      `Workers as flux-benchmark runs Flux: source-controller --concurrent=${FLUX_BENCHMARK_WORKERS.source}, kustomize-controller --concurrent=${FLUX_BENCHMARK_WORKERS.kustomize}; mooring --concurrent ${Math.min(FLUX_BENCHMARK_WORKERS.source, FLUX_BENCHMARK_WORKERS.kustomize)} (one flag sets both of its controllers, so neither has more workers than its Flux counterpart). Everything else at each set's defaults. With wait: true, Flux's kustomize-controller holds a worker while it polls health (every few seconds), so its worker count bounds its rate; mooring's health wait is driven by watch events.`,
      `mooring: \`mooring controller\` child process, with the Node flags the image runs it with (the Dockerfile's NODE_OPTIONS). Flux: source-controller ${FLUX_CONTROLLER_VERSIONS["source-controller"]} and kustomize-controller ${FLUX_CONTROLLER_VERSIONS["kustomize-controller"]} built from their Go modules (src/dev/flux/controllers.ts), run out of cluster with Flux's own CRDs. Each set runs alone on a fresh control plane, with --watch-label-selector on the round's shard key; peak RSS is VmHWM summed over the set's processes (a process's threads, mooring's build threads included, are in its VmHWM); CPU is user + system seconds of those processes from creating the objects to all Ready.`,
      "Each app has its own GitRepository on its own repository of the local git server (as flux-benchmark gives each app its own artifact), interval 1h; Kustomization wait: true, prune: true, targetNamespace the round's namespace. Ratios > 1 mean mooring is faster / smaller.",
      "The local control plane runs no deployment controller: the bench watches the round's Deployments and writes each one's status (observedGeneration, 0 replicas, Available) as soon as it sees a new generation, for either controller set. The bench follows the Kustomizations through a watch too (since 2026-12-07 03:50 UTC; before, both re-listed every 500 ms, which at 1,000 apps cost the API server and the bench more CPU than the controllers under test, and added up to 500 ms to the tail).",
      "Where the time goes, from the objects' timestamps (1 s resolution): source = Kustomization created → artifact; apply = artifact → Deployment created (queue wait, artifact fetch, build, dry-run and apply of the earlier stages); status stand-in = Deployment created → its status written by the bench; health+status = status written → Kustomization Ready.",
      ...phaseNotes,
    ],
  };
}
