import type { KubeConfig } from "@kubernetes/client-node";
import { type GitServer, startGitServer } from "../../src/dev/git-server/index.js";
import { Semaphore } from "../../src/runtime/semaphore.js";
import { type Capacity, measureWindow, openWindow } from "../lib/capacity.js";
import { type ControllerSet, FLUX, FLUX_BENCHMARK_TUNED, MOORING, runsSide } from "../lib/controller-sets.js";
import { seedRepos } from "../lib/git-seed.js";
import { gitRepository, kustomization, namespace, sharded } from "../lib/gitops.js";
import { benchApply, type BenchObject } from "../lib/kube.js";
import type { ScenarioReport } from "../lib/report.js";
import { inRound, type RoundSetup } from "../lib/round.js";
import { s6Rows } from "../lib/s6-report.js";
import type { BenchContext } from "../run.js";

const TARGET_NAMESPACES = 50;

/** S6's size: `repos` GitRepositories of `perRepo` Kustomizations each, watched for `windowMs`. */
export interface S6Size {
  repos: number;
  perRepo: number;
  windowMs: number;
}

const FULL: S6Size = { repos: 1000, perRepo: 10, windowMs: 13 * 60_000 };
const QUICK: S6Size = { repos: 20, perRepo: 5, windowMs: 90_000 };

/** `MOORING_BENCH_S6=<repos>x<perRepo>:<windowMinutes>` (e.g. `100x10:5`) overrides the size. */
export function s6Size(spec: string | undefined, quick: boolean): S6Size {
  if (spec === undefined || spec === "") return quick ? QUICK : FULL;
  const m = /^(\d+)x(\d+):(\d+(?:\.\d+)?)$/.exec(spec);
  if (!m)
    throw new Error(`MOORING_BENCH_S6="${spec}": expected <repos>x<perRepo>:<windowMinutes>, e.g. 100x10:5`);
  return { repos: Number(m[1]), perRepo: Number(m[2]), windowMs: Number(m[3]) * 60_000 };
}

/** One directory per Kustomization, each a ConfigMap and a ServiceAccount named after it. */
function repoFiles(r: number, perRepo: number): Record<string, string> {
  const files: Record<string, string> = {};
  for (let k = 0; k < perRepo; k++) {
    const name = `cap-${r}-${k}`;
    files[`ks-${k}/objects.yaml`] = [
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  a: "1"`,
      `apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: ${name}`,
    ].join("\n---\n");
  }
  return files;
}

/** Each repository's GitRepository followed by its Kustomizations, interval 10m for both. */
function capacityObjects(ns: string, urls: string[], perRepo: number): BenchObject[] {
  const objs: BenchObject[] = [];
  for (const [r, url] of urls.entries()) {
    objs.push(sharded(gitRepository(ns, `cap-${r}`, url, "10m"), ns));
    for (let k = 0; k < perRepo; k++) {
      const ks = kustomization(ns, `cap-${r}-${k}`, {
        source: `cap-${r}`,
        path: `./ks-${k}`,
        interval: "10m",
        targetNamespace: `${ns}-t${(r * perRepo + k) % TARGET_NAMESPACES}`,
      });
      objs.push(sharded(ks, ns));
    }
  }
  return objs;
}

async function createAll(kc: KubeConfig, objs: BenchObject[]): Promise<void> {
  const sem = new Semaphore(16);
  await Promise.all(objs.map((o) => sem.run(() => benchApply(kc, o))));
}

/** One controller set on a fresh control plane: create everything, then watch it for the window. */
async function capacityRound(
  ctx: BenchContext,
  set: ControllerSet,
  size: S6Size,
  repos: { server: GitServer; urls: string[] },
): Promise<Capacity> {
  const prepare = async ({ kc, ns }: RoundSetup): Promise<void> => {
    await benchApply(kc, namespace(ns));
    for (let t = 0; t < TARGET_NAMESPACES; t++) await benchApply(kc, namespace(`${ns}-t${t}`));
  };
  const options = { scenario: "s6", prepare, server: repos.server };
  return inRound(ctx, set, options, async ({ kc, ns, controller }) => {
    const n = size.repos * size.perRepo;
    const objs = capacityObjects(ns, repos.urls, size.perRepo);
    // The window opens when creation starts: creating the objects is part of the load measured.
    const start = await openWindow(controller);
    await createAll(kc, objs);
    ctx.log(
      `[bench] S6 ${set.label}: ${objs.length} objects created in ${((Date.now() - start.at) / 1000).toFixed(0)} s; measuring until ${size.windowMs / 1000} s`,
    );
    const c = await measureWindow({ kc, ns, controller }, n, start, size.windowMs);
    ctx.log(
      `[bench] S6 ${set.label}: ${c.readyAtEnd}/${n} Ready, first pass ${c.firstPass ? `${(c.firstPass.ms / 1000).toFixed(0)} s` : "not within the window"}, ${c.cpuSeconds.toFixed(0)} CPU-s, peak RSS ${Math.round(c.rssKb / 1024)} MiB`,
    );
    return c;
  });
}

/**
 * S6: 10,000 Kustomizations (1,000 GitRepositories, each its own repository, of 10
 * Kustomizations) of 2 small objects at a 10-minute interval, one controller set at a time for a
 * 13-minute window: first pass, CPU, RSS, queue depth and latency from each controller's own
 * metrics. Three sets: mooring's defaults, Flux's defaults, Flux as flux-benchmark tunes it.
 */
export async function s6Capacity(ctx: BenchContext): Promise<ScenarioReport> {
  const size = s6Size(process.env["MOORING_BENCH_S6"], ctx.quick);
  const sets: { set: ControllerSet; column: string; runs: boolean }[] = [
    { set: MOORING, column: "mooring (defaults)", runs: runsSide("mooring") },
    { set: FLUX, column: "Flux (defaults)", runs: runsSide("flux") || runsSide("flux-defaults") },
    {
      set: FLUX_BENCHMARK_TUNED,
      column: "Flux (flux-benchmark tuning)",
      runs: runsSide("flux") || runsSide("flux-tuned"),
    },
  ];
  const server = await startGitServer();
  const results: (Capacity | undefined)[] = [];
  try {
    const seeded = Date.now();
    const urls = await seedRepos(server, size.repos, "cap", (r) => repoFiles(r, size.perRepo));
    ctx.log(
      `[bench] S6: ${size.repos} repositories seeded in ${((Date.now() - seeded) / 1000).toFixed(0)} s`,
    );
    for (const { set, runs } of sets)
      results.push(runs ? await capacityRound(ctx, set, size, { server, urls }) : undefined);
  } finally {
    await server.stop();
  }
  const n = size.repos * size.perRepo;
  const minutes = size.windowMs / 60_000;
  return {
    scenario: "S6",
    title: `capacity: ${n} Kustomizations of 2 objects on ${size.repos} GitRepositories, interval 10m, ${minutes >= 1 ? `${Number(minutes.toFixed(1))} minutes` : `${size.windowMs / 1000} s`} per controller set`,
    header: ["measure", ...sets.map((s) => s.column), "ratios: Flux defaults; tuned / mooring"],
    rows: s6Rows(results, n),
    notes: [
      `Each GitRepository has its own repository on the bench's git server, with one directory per Kustomization (a ConfigMap and a ServiceAccount named after it); the Kustomizations' targetNamespace spreads them over ${TARGET_NAMESPACES} namespaces. GitRepository and Kustomization interval 10m, prune: true, wait: false.`,
      "Each set runs alone on a fresh control plane, one after another. mooring: its defaults (--concurrent 4). Flux defaults: source-controller 2 workers, kustomize-controller 4. Flux, flux-benchmark tuning: source-controller --concurrent=10, kustomize-controller --concurrent=20 --feature-gates=DisableStatusPollerCache=true, as flux-benchmark's install-manifests set them (its pod limits, 2 CPUs and 2 GiB for kustomize-controller, have no counterpart for processes on this 2-core machine).",
      "The window opens when the bench starts creating the objects, so it holds their creation, the first pass and the first interval's requeues of what was reconciled early enough. First pass: from the start of creation to the latest Ready transition among the Kustomizations once all are Ready (1 s resolution); readiness is read every 10 s from a watch the bench keeps on the Kustomizations (since 2026-12-07 04:10 UTC; before, it listed all of them every 10 s, which at 10,000 cost the API server about 35 MB of JSON per sample).",
      "CPU: user + system seconds summed over the set's processes (Flux: both controllers). Steady-state CPU: the CPU seconds from the first 10 s sample that saw all Ready to the window's end, divided by that wall time (in cores). Peak RSS: VmHWM summed over the set's processes.",
      "Queue figures come from each controller's own /metrics (controller-runtime's names in both): workqueue_depth sampled every 10 s; workqueue_queue_duration_seconds (queue wait) and workqueue_work_duration_seconds (reconcile time) of the kustomization and gitrepository queues, quantiles interpolated from the histogram buckets observed in the window (or after the first pass). Reconcile time is wall time per item: mooring's 4 concurrent reconciles share one Node thread.",
      `Goals (issue 19): no backlog = all Ready within the window and the median Kustomization queue depth of the samples after the first pass at most 1% of the Kustomizations (${Math.ceil(n / 100)}); RSS ≤ 1 GiB. Ratios > 1 mean mooring is faster / smaller.`,
    ],
  };
}
