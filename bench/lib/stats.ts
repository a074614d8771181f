/** Summary of repeated measurements: benchmarks report the median with min and max. */
export interface Stats {
  median: number;
  min: number;
  max: number;
  runs: number;
}

/** Median, min and max of a non-empty list of samples. */
export function summarise(samples: number[]): Stats {
  if (samples.length === 0) throw new Error("no samples");
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
  return { median, min: sorted[0] ?? 0, max: sorted[sorted.length - 1] ?? 0, runs: samples.length };
}

/** The p-th percentile (0..100) by nearest rank. */
export function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? 0;
}

/** `12.3 ms (min 11.0, max 15.2)` */
export function formatMs(stats: Stats): string {
  return `${stats.median.toFixed(1)} ms (min ${stats.min.toFixed(1)}, max ${stats.max.toFixed(1)})`;
}

/** How many times faster `ours` is than `reference` (> 1 means faster), as `5.2×`. */
export function ratio(reference: number, ours: number): string {
  return ours > 0 ? `${(reference / ours).toFixed(2)}×` : "∞";
}
