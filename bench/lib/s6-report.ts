/** S6's table: one column per controller set ("not run" where MOORING_BENCH_SETS left it out). */
import type { Capacity, Quantiles } from "./capacity.js";
import { percentile, ratio, summarise } from "./stats.js";

const GIB_KB = 1024 * 1024;

const seconds = (s: number | undefined): string =>
  s === undefined ? "-" : s < 1 ? `${(s * 1000).toFixed(0)} ms` : `${s.toFixed(2)} s`;
const pair = (q: Quantiles | undefined): string => (q ? `${seconds(q.p50)} / ${seconds(q.p95)}` : "-");
const spread = (xs: number[], digits: number): string => {
  if (xs.length === 0) return "-";
  const s = summarise(xs);
  return `median ${s.median.toFixed(digits)}, p95 ${percentile(xs, 95).toFixed(digits)}, max ${s.max.toFixed(digits)}`;
};

function firstPass(c: Capacity): string {
  if (c.firstPass) return `${(c.firstPass.ms / 1000).toFixed(0)} s`;
  return `not within the window (${c.readyAtEnd} of ${c.kustomizations} Ready)`;
}

function steadyCpu(c: Capacity): string {
  const f = c.firstPass;
  if (!f) return "- (no first pass)";
  if (f.steadySeconds < 30) return `- (only ${f.steadySeconds.toFixed(0)} s after the first pass)`;
  return `${(f.steadyCpuSeconds / f.steadySeconds).toFixed(2)} cores (${f.steadyCpuSeconds.toFixed(0)} CPU-s over ${f.steadySeconds.toFixed(0)} s)`;
}

/** All Ready within the window, and the queue drained after it (median depth ≤ 1% of N). */
export function noBacklog(c: Capacity): boolean {
  if (!c.firstPass || c.depthAfter.length === 0) return false;
  return summarise(c.depthAfter).median <= Math.ceil(c.kustomizations / 100);
}

const mark = (ok: boolean): string => (ok ? "yes" : "**no**");

/** A row's cells for every set; `undefined` sets were not run. */
function row(label: string, cs: (Capacity | undefined)[], cell: (c: Capacity) => string, r = ""): string[] {
  return [label, ...cs.map((c) => (c ? cell(c) : "not run")), r];
}

/** "Flux defaults / mooring; tuned / mooring" of a figure where smaller is better. */
function ratios(cs: (Capacity | undefined)[], v: (c: Capacity) => number | undefined): string {
  const [m, ...flux] = cs;
  const mv = m ? v(m) : undefined;
  if (mv === undefined) return "-";
  return flux
    .map((f) => {
      const fv = f ? v(f) : undefined;
      return fv === undefined ? "-" : ratio(fv, mv);
    })
    .join("; ");
}

/** The table's rows: mooring first, then each Flux set, in the order given. */
export function s6Rows(cs: (Capacity | undefined)[], n: number): string[][] {
  return [
    row(
      "creation to all Ready (first pass)",
      cs,
      firstPass,
      ratios(cs, (c) => c.firstPass?.ms),
    ),
    row(
      "CPU seconds over the window",
      cs,
      (c) => c.cpuSeconds.toFixed(0),
      ratios(cs, (c) => c.cpuSeconds),
    ),
    row("steady-state CPU after the first pass", cs, steadyCpu),
    row("CPU (cores, 10 s samples)", cs, (c) => spread(c.cpuSamples, 2)),
    row(
      "peak RSS (all the set's processes)",
      cs,
      (c) => `${Math.round(c.rssKb / 1024)} MiB`,
      ratios(cs, (c) => c.rssKb),
    ),
    row("Kustomization queue depth (10 s samples)", cs, (c) => spread(c.depth, 0)),
    row("… after the first pass", cs, (c) => spread(c.depthAfter, 0)),
    row("Kustomization reconciles in the window", cs, (c) => String(c.ks.reconciles)),
    row("Kustomization reconcile time p50 / p95", cs, (c) => pair(c.ks.work)),
    row(
      "Kustomization queue wait p50 / p95",
      cs,
      (c) => pair(c.ks.wait),
      ratios(cs, (c) => c.ks.wait.p95),
    ),
    row("… after the first pass", cs, (c) => pair(c.ksAfter?.wait)),
    row("GitRepository reconciles in the window", cs, (c) => String(c.source.reconciles)),
    row("GitRepository reconcile time p50 / p95", cs, (c) => pair(c.source.work)),
    row("GitRepository queue wait p50 / p95", cs, (c) => pair(c.source.wait)),
    row(`goal: ${n} with no queue backlog`, cs, (c) => mark(noBacklog(c))),
    row("goal: peak RSS ≤ 1 GiB", cs, (c) => mark(c.rssKb <= GIB_KB)),
  ];
}
