import type { KubeConfig } from "@kubernetes/client-node";
import { kubeRequest } from "../../src/runtime/kube-request.js";
import { Semaphore } from "../../src/runtime/semaphore.js";
import { type ControllerSet, FLUX, MOORING } from "../lib/controller-sets.js";
import { type RunningControllers, setCpuSeconds } from "../lib/controllers.js";
import { bucketDelta, buckets, histogramQuantile, scrape, type Sample, valueOf } from "../lib/prom.js";
import { gitRepository, kustomization, namespace, sharded } from "../lib/gitops.js";
import { benchApply, pollUntil } from "../lib/kube.js";
import type { ScenarioReport } from "../lib/report.js";
import { inRound, type RoundSetup } from "../lib/round.js";
import { percentile, ratio, summarise } from "../lib/stats.js";
import type { BenchContext } from "../run.js";

const APPS = 5000;
const DURATION_MS = 15 * 60_000;

function twoObjects(ns: string): string {
  return [
    `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cap\n  namespace: ${ns}\ndata:\n  a: "1"`,
    `apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: cap\n  namespace: ${ns}`,
  ].join("\n---\n");
}

async function createApps(kc: KubeConfig, ns: string, url: string, apps: number): Promise<void> {
  const sem = new Semaphore(16);
  const source = sharded(gitRepository(ns, "cap", url, "10m"), ns);
  await benchApply(kc, source);
  await Promise.all(
    Array.from({ length: apps }, (_, i) =>
      sem.run(() =>
        benchApply(
          kc,
          sharded(
            kustomization(ns, `cap-${i}`, {
              source: "cap",
              path: "./",
              interval: "10m",
              targetNamespace: `${ns}-t${i % 50}`,
            }),
            ns,
          ),
        ),
      ),
    ),
  );
}

const QUEUE = 'name="kustomization"';
const WORK = "workqueue_work_duration_seconds";
const WAIT = "workqueue_queue_duration_seconds";

/** What one controller set did over the window. */
interface Capacity {
  cpu: number[];
  cpuSeconds: number;
  depth: number[];
  rssKb: number;
  reconciles: number;
  workP50?: number;
  workP95?: number;
  waitP50?: number;
  waitP95?: number;
  firstPassMs: number;
}

/** Kustomizations of the namespace that are Ready: the end of the initial pass. */
async function readyCount(kc: KubeConfig, ns: string): Promise<number> {
  const list = await kubeRequest<{
    items: { status?: { conditions?: { type: string; status: string }[] } }[];
  }>(kc, `/apis/kustomize.toolkit.fluxcd.io/v1/namespaces/${ns}/kustomizations`);
  return list.items.filter((k) =>
    k.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True"),
  ).length;
}

/**
 * Samples CPU (cores) and queue depth every 10 s from `opened` (epoch ms, when the set had used
 * `cpuStart` CPU seconds) for `durationMs`; also returns the CPU seconds used over the window.
 */
async function window(
  controller: RunningControllers,
  opened: { at: number; cpuStart: number },
  durationMs: number,
): Promise<{ cpu: number[]; depth: number[]; cpuSeconds: number }> {
  const cpu: number[] = [];
  const depth: number[] = [];
  const until = opened.at + durationMs;
  let lastCpu = opened.cpuStart;
  let last = opened.at;
  while (Date.now() < until) {
    await new Promise((r) => setTimeout(r, Math.min(10_000, Math.max(until - Date.now(), 1000))));
    const now = await setCpuSeconds(controller);
    cpu.push((now - lastCpu) / ((Date.now() - last) / 1000));
    lastCpu = now;
    last = Date.now();
    depth.push(valueOf(await scrape(controller.metricsUrl), "workqueue_depth", QUEUE));
  }
  return { cpu, depth, cpuSeconds: lastCpu - opened.cpuStart };
}

/** One controller set on a fresh control plane: create the apps, then watch it for the window. */
async function capacityRound(
  ctx: BenchContext,
  set: ControllerSet,
  apps: number,
  durationMs: number,
): Promise<Capacity> {
  let url = "";
  const prepare = async ({ kc, ns, server }: RoundSetup): Promise<void> => {
    const repo = await server.createRepo("s6");
    await repo.commit({ files: { "objects.yaml": twoObjects("placeholder") } });
    url = repo.url;
    await benchApply(kc, namespace(ns));
    for (let t = 0; t < 50; t++) await benchApply(kc, namespace(`${ns}-t${t}`));
  };
  return inRound(ctx, set, { scenario: "s6", prepare }, async ({ kc, ns, controller }) => {
    const before: Sample[] = await scrape(controller.metricsUrl);
    const cpuStart = await setCpuSeconds(controller);
    const created = Date.now();
    await createApps(kc, ns, url, apps);
    ctx.log(`[bench] S6 ${set.label}: ${apps} Kustomizations created; measuring for ${durationMs / 1000} s`);
    let firstPassMs = 0;
    const firstPass = (async () => {
      await pollUntil(`${apps} Ready`, async () => (await readyCount(kc, ns)) === apps, durationMs, 5000);
      firstPassMs = Date.now() - created;
    })().catch(() => undefined);
    // The window opens when creation starts: creating the apps is part of the load measured.
    const opened = { at: created, cpuStart };
    const { cpu, depth, cpuSeconds } = await window(controller, opened, durationMs);
    await firstPass;
    const after = await scrape(controller.metricsUrl);
    const work = bucketDelta(buckets(before, WORK, QUEUE), buckets(after, WORK, QUEUE));
    const wait = bucketDelta(buckets(before, WAIT, QUEUE), buckets(after, WAIT, QUEUE));
    return {
      cpu,
      cpuSeconds,
      depth,
      rssKb: await controller.peakRssKb(),
      reconciles: valueOf(after, `${WORK}_count`, QUEUE) - valueOf(before, `${WORK}_count`, QUEUE),
      workP50: histogramQuantile(0.5, work),
      workP95: histogramQuantile(0.95, work),
      waitP50: histogramQuantile(0.5, wait),
      waitP95: histogramQuantile(0.95, wait),
      firstPassMs,
    };
  });
}

/**
 * S6: 5,000 Kustomizations of 2 objects at a 10-minute interval on one instance for 15 minutes:
 * CPU, RSS, queue depth and reconcile latency from each controller's own metrics. Full run only.
 */
export async function s6Capacity(ctx: BenchContext): Promise<ScenarioReport> {
  // Quick: the same measurement at 1/50 of the size and a 45 s window, to check the scenario.
  return ctx.quick ? capacityRun(ctx, APPS / 50, 45_000) : capacityRun(ctx, APPS, DURATION_MS);
}

const seconds = (s: number | undefined): string =>
  s === undefined ? "-" : s < 1 ? `${(s * 1000).toFixed(0)} ms` : `${s.toFixed(2)} s`;
const cores = (xs: number[]): string => {
  const c = summarise(xs);
  return `median ${c.median.toFixed(2)}, p95 ${percentile(xs, 95).toFixed(2)}, max ${c.max.toFixed(2)}`;
};

/** The S6 measurement at a given size and duration (smaller ones are for checking the bench itself). */
export async function capacityRun(
  ctx: BenchContext,
  apps: number,
  durationMs: number,
): Promise<ScenarioReport> {
  const m = await capacityRound(ctx, MOORING, apps, durationMs);
  const f = await capacityRound(ctx, FLUX, apps, durationMs);
  const depth = (c: Capacity): string =>
    `median ${summarise(c.depth).median.toFixed(0)}, max ${summarise(c.depth).max.toFixed(0)}`;
  const pass = (c: Capacity): string =>
    c.firstPassMs > 0 ? `${(c.firstPassMs / 1000).toFixed(0)} s` : "not within the window";
  const cpuTotal = (c: Capacity): number => c.cpuSeconds;
  return {
    scenario: "S6",
    title: `capacity: ${apps} Kustomizations of 2 objects, interval 10m, ${durationMs >= 60_000 ? `${Math.round(durationMs / 60_000)} minutes` : `${durationMs / 1000} s`} per controller set`,
    header: ["measure", "mooring", "Flux", "ratio (Flux / mooring)"],
    rows: [
      [
        "creation to all Ready (first pass)",
        pass(m),
        pass(f),
        m.firstPassMs > 0 && f.firstPassMs > 0 ? ratio(f.firstPassMs, m.firstPassMs) : "-",
      ],
      [
        "CPU (cores, 10 s samples)",
        cores(m.cpu),
        cores(f.cpu),
        // Medians near zero (idle between intervals) make a ratio meaningless; the total below has one.
        "",
      ],
      [
        "CPU seconds over the window",
        cpuTotal(m).toFixed(0),
        cpuTotal(f).toFixed(0),
        ratio(cpuTotal(f), cpuTotal(m)),
      ],
      [
        "peak RSS",
        `${Math.round(m.rssKb / 1024)} MiB`,
        `${Math.round(f.rssKb / 1024)} MiB`,
        ratio(f.rssKb, m.rssKb),
      ],
      ["Kustomization queue depth (10 s samples)", depth(m), depth(f), ""],
      ["reconciles in the window", String(m.reconciles), String(f.reconciles), ""],
      [
        "reconcile time p50 / p95",
        `${seconds(m.workP50)} / ${seconds(m.workP95)}`,
        `${seconds(f.workP50)} / ${seconds(f.workP95)}`,
        ratio(f.workP50 ?? 0, m.workP50 ?? 0),
      ],
      [
        "queue wait p50 / p95",
        `${seconds(m.waitP50)} / ${seconds(m.waitP95)}`,
        `${seconds(f.waitP50)} / ${seconds(f.waitP95)}`,
        ratio(f.waitP50 ?? 0, m.waitP50 ?? 0),
      ],
    ],
    notes: [
      "All Kustomizations share one GitRepository; each applies a ConfigMap and a ServiceAccount into one of 50 target namespaces. Each controller set runs alone on a fresh control plane, with its default concurrency (mooring 4; Flux kustomize-controller 4, source-controller 2).",
      "The window opens when the bench starts creating the Kustomizations, so it holds their creation, the initial pass and the first interval's requeues. CPU and RSS are summed over the set's processes (Flux: both controllers).",
      "Queue depth, reconcile time and queue wait come from each controller's own /metrics: workqueue_depth, workqueue_work_duration_seconds and workqueue_queue_duration_seconds of the kustomization queue (the same controller-runtime names in both), quantiles interpolated from the histogram buckets observed during the window.",
      "Reconcile time is wall time per item: mooring runs its 4 concurrent reconciles on one Node thread, so under a burst each one's wall time includes the others' CPU; Flux's goroutines spread over both cores. Throughput shows in the first-pass and queue-wait rows.",
      "Ratios > 1 mean mooring is faster / smaller.",
    ],
  };
}
