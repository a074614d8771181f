/** The few Prometheus readings the bench takes from a controller's /metrics. */

/** Sample lines of the text exposition format: `name{labels} value`. */
export interface Sample {
  name: string;
  labels: string;
  value: number;
}

/** Parses the text exposition format, skipping comments. */
export function parseMetrics(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const m = /^([a-zA-Z_:][\w:]*)(\{.*\})?\s+(\S+)/.exec(line);
    if (m) out.push({ name: m[1] ?? "", labels: m[2] ?? "", value: Number(m[3]) });
  }
  return out;
}

/** Fetches and parses a /metrics endpoint. */
export async function scrape(url: string): Promise<Sample[]> {
  return parseMetrics(await (await fetch(url)).text());
}

const hasLabel = (s: Sample, label: string): boolean => s.labels.includes(label);

/** The sum of a metric's samples that carry `label` (e.g. `name="kustomization"`). */
export function valueOf(samples: Sample[], name: string, label: string): number {
  return samples.filter((s) => s.name === name && hasLabel(s, label)).reduce((a, s) => a + s.value, 0);
}

/** A histogram's cumulative buckets (upper bound → count), summed over series with `label`. */
export function buckets(samples: Sample[], name: string, label: string): Map<number, number> {
  const out = new Map<number, number>();
  for (const s of samples) {
    if (s.name !== `${name}_bucket` || !hasLabel(s, label)) continue;
    const le = /le="([^"]+)"/.exec(s.labels)?.[1];
    if (le === undefined) continue;
    const bound = le === "+Inf" ? Infinity : Number(le);
    out.set(bound, (out.get(bound) ?? 0) + s.value);
  }
  return out;
}

/** Bucket counts observed between two scrapes. */
export function bucketDelta(before: Map<number, number>, after: Map<number, number>): Map<number, number> {
  return new Map([...after].map(([le, n]) => [le, n - (before.get(le) ?? 0)]));
}

/**
 * The q-quantile (0..1) of a cumulative histogram, interpolated inside its bucket as Prometheus's
 * histogram_quantile does; undefined when it is empty. A quantile in the +Inf bucket reads as the
 * largest finite bound.
 */
export function histogramQuantile(q: number, cumulative: Map<number, number>): number | undefined {
  const sorted = [...cumulative].sort((a, b) => a[0] - b[0]);
  const total = sorted.at(-1)?.[1] ?? 0;
  if (total <= 0) return undefined;
  const rank = q * total;
  let lowerBound = 0;
  let lowerCount = 0;
  for (const [le, count] of sorted) {
    if (count >= rank) {
      if (le === Infinity) return lowerBound;
      const inBucket = count - lowerCount;
      return inBucket > 0 ? lowerBound + ((le - lowerBound) * (rank - lowerCount)) / inBucket : le;
    }
    lowerBound = le;
    lowerCount = count;
  }
  return lowerBound;
}
