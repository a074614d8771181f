/**
 * S6's window: what one controller set does with N Kustomizations over a fixed time, sampled every
 * 10 s (CPU, queue depth, readiness) and read from the controllers' own workqueue metrics.
 */
import type { KubeConfig } from "@kubernetes/client-node";
import { type RunningControllers, setCpuSeconds } from "./controllers.js";
import { KustomizationsReady } from "./watch.js";
import { bucketDelta, buckets, histogramQuantile, scrape, type Sample, valueOf } from "./prom.js";

const KS_QUEUE = 'name="kustomization"';
const SOURCE_QUEUE = 'name="gitrepository"';
const WORK = "workqueue_work_duration_seconds";
const WAIT = "workqueue_queue_duration_seconds";
const SAMPLE_MS = 10_000;

/** p50 and p95 (seconds) of a workqueue histogram between two scrapes; undefined when empty. */
export interface Quantiles {
  p50?: number | undefined;
  p95?: number | undefined;
}

/** One queue's figures between two scrapes. */
export interface QueueFigures {
  reconciles: number;
  work: Quantiles;
  wait: Quantiles;
}

function queueFigures(before: Sample[], after: Sample[], queue: string): QueueFigures {
  const delta = (name: string): Map<number, number> =>
    bucketDelta(buckets(before, name, queue), buckets(after, name, queue));
  const q = (h: Map<number, number>): Quantiles => ({
    p50: histogramQuantile(0.5, h),
    p95: histogramQuantile(0.95, h),
  });
  return {
    reconciles: valueOf(after, `${WORK}_count`, queue) - valueOf(before, `${WORK}_count`, queue),
    work: q(delta(WORK)),
    wait: q(delta(WAIT)),
  };
}

/** Both controllers' metrics at one moment (one scrape when one process runs both). */
interface Scrapes {
  ks: Sample[];
  source: Sample[];
}

async function scrapeBoth(c: RunningControllers): Promise<Scrapes> {
  const ks = await scrape(c.metricsUrl);
  return { ks, source: c.sourceMetricsUrl === c.metricsUrl ? ks : await scrape(c.sourceMetricsUrl) };
}

/** The first pass: when every Kustomization had been Ready, and what the set had used by then. */
export interface FirstPass {
  /** Creation start → the latest Ready transition among them (1 s resolution). */
  ms: number;
  /** When the bench saw them all Ready (the steady state is measured from here). */
  seenAt: number;
  cpuAtSeen: number;
  metricsAtSeen: Scrapes;
}

/** What one controller set did over the window. */
export interface Capacity {
  kustomizations: number;
  cpuSamples: number[];
  cpuSeconds: number;
  /** Kustomization queue depth samples, and those taken after the first pass. */
  depth: number[];
  depthAfter: number[];
  rssKb: number;
  ks: QueueFigures;
  ksAfter?: QueueFigures | undefined;
  source: QueueFigures;
  firstPass?: { ms: number; steadyCpuSeconds: number; steadySeconds: number } | undefined;
  /** Kustomizations Ready at the last readiness check. */
  readyAtEnd: number;
}

/** Where the window starts: when creation began, the set's CPU then and its metrics before it. */
export interface WindowStart {
  at: number;
  cpuStart: number;
  before: Scrapes;
}

/** Takes the metrics and CPU reading the window starts from; call just before creating objects. */
export async function openWindow(c: RunningControllers): Promise<WindowStart> {
  const before = await scrapeBoth(c);
  return { at: Date.now(), cpuStart: await setCpuSeconds(c), before };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Samples every 10 s until `start.at + durationMs`: the set's CPU (cores since the previous
 * sample), the Kustomization queue depth, and, until all `n` are Ready, their readiness.
 */
export async function measureWindow(
  round: { kc: KubeConfig; ns: string; controller: RunningControllers },
  n: number,
  start: WindowStart,
  durationMs: number,
): Promise<Capacity> {
  // Readiness from a watch, not a LIST of every Kustomization every 10 s (at 10,000 that was
  // ~35 MB of JSON per sample for the API server to encode and the bench to parse).
  const readiness = new KustomizationsReady(round.kc, round.ns, () => undefined, {
    applied: false,
    logEveryMs: Infinity,
  });
  try {
    return await sampleWindow({ controller: round.controller, readiness }, n, start, durationMs);
  } finally {
    await readiness.stop();
  }
}

async function sampleWindow(
  { controller, readiness }: { controller: RunningControllers; readiness: KustomizationsReady },
  n: number,
  start: WindowStart,
  durationMs: number,
): Promise<Capacity> {
  const cpuSamples: number[] = [];
  const depth: number[] = [];
  const depthAfter: number[] = [];
  const until = start.at + durationMs;
  let lastCpu = start.cpuStart;
  let last = start.at;
  let first: FirstPass | undefined;
  let readyAtEnd = 0;
  while (Date.now() < until) {
    await sleep(Math.min(SAMPLE_MS, Math.max(until - Date.now(), 1000)));
    const cpu = await setCpuSeconds(controller);
    const now = Date.now();
    cpuSamples.push((cpu - lastCpu) / ((now - last) / 1000));
    [lastCpu, last] = [cpu, now];
    const d = valueOf(await scrape(controller.metricsUrl), "workqueue_depth", KS_QUEUE);
    depth.push(d);
    if (first) {
      depthAfter.push(d);
      continue;
    }
    readyAtEnd = readiness.count;
    if (readyAtEnd === n)
      first = {
        ms: readiness.lastReadyAt - start.at,
        seenAt: now,
        cpuAtSeen: cpu,
        metricsAtSeen: await scrapeBoth(controller),
      };
  }
  if (first) readyAtEnd = n;
  const after = await scrapeBoth(controller);
  return {
    kustomizations: n,
    cpuSamples,
    cpuSeconds: lastCpu - start.cpuStart,
    depth,
    depthAfter,
    rssKb: await controller.peakRssKb(),
    ks: queueFigures(start.before.ks, after.ks, KS_QUEUE),
    ksAfter: first ? queueFigures(first.metricsAtSeen.ks, after.ks, KS_QUEUE) : undefined,
    source: queueFigures(start.before.source, after.source, SOURCE_QUEUE),
    firstPass: first && {
      ms: first.ms,
      steadyCpuSeconds: lastCpu - first.cpuAtSeen,
      steadySeconds: (last - first.seenAt) / 1000,
    },
    readyAtEnd,
  };
}
