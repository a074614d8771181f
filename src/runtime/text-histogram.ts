/**
 * A histogram with one series per object, rendered straight to the Prometheus text format.
 *
 * `gotk_reconcile_duration_seconds{kind,name,namespace}` has one series per Flux object, 13 lines
 * each. prom-client builds a labels object and several strings for every one of those lines at
 * every scrape: at 10,000 Kustomizations an 18.7 MB `/metrics` answer every 10 s lifted the
 * controller's heap from about 100 to 230 MiB (issue 19, S6), which was its peak RSS. Here each
 * series keeps its label text, escaped once, and its bucket counts in a typed array; a scrape
 * writes the lines and nothing else. The output is line for line what prom-client's Histogram
 * writes (same label order, `le` first, same number formatting).
 */
import type { Registry } from "prom-client";

/** One series: its rendered labels and its counts. */
interface Series {
  /** `kind="…",name="…",namespace="…"`, escaped. */
  readonly labels: string;
  /** Observations per bucket (not cumulative); the last slot is +Inf. */
  readonly counts: Float64Array;
  sum: number;
  count: number;
}

/** prom-client's label-value escaping: backslash, newline, double quote. */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}

/** prom-client's HELP escaping: backslash and newline. */
const escapeHelp = (help: string): string => help.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");

/** prom-client's number formatting. */
function formatValue(value: number): string {
  if (Number.isNaN(value)) return "Nan";
  if (!Number.isFinite(value)) return value < 0 ? "-Inf" : "+Inf";
  return `${value}`;
}

/** Settings of a {@link TextHistogram}. */
export interface TextHistogramOptions<L extends string> {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly L[];
  readonly buckets: readonly number[];
}

/** A histogram whose series are rendered as Prometheus text without intermediate objects. */
export class TextHistogram<L extends string> {
  private readonly series = new Map<string, Series>();
  private readonly bucketLabels: readonly string[];

  constructor(private readonly options: TextHistogramOptions<L>) {
    this.bucketLabels = [...options.buckets.map((b) => formatValue(b)), "+Inf"].map((le) => `le="${le}",`);
  }

  /** Adds one observation to the series of `labels`. */
  observe(labels: Readonly<Record<L, string>>, value: number): void {
    const text = this.labelText(labels);
    let s = this.series.get(text);
    if (s === undefined) {
      s = { labels: text, counts: new Float64Array(this.bucketLabels.length), sum: 0, count: 0 };
      this.series.set(text, s);
    }
    const bucket = this.options.buckets.findIndex((upper) => value <= upper);
    const slot = bucket === -1 ? s.counts.length - 1 : bucket;
    s.counts[slot] = (s.counts[slot] ?? 0) + 1;
    s.sum += value;
    s.count++;
  }

  /** Drops the series of `labels`. */
  remove(labels: Readonly<Record<L, string>>): void {
    this.series.delete(this.labelText(labels));
  }

  /** Series held (for tests and the metric's own accounting). */
  get size(): number {
    return this.series.size;
  }

  /** The metric's lines in the Prometheus text format (HELP and TYPE first), without newlines. */
  *lines(): Generator<string> {
    const { name } = this.options;
    yield `# HELP ${name} ${escapeHelp(this.options.help)}`;
    yield `# TYPE ${name} histogram`;
    for (const s of this.series.values()) {
      let cumulative = 0;
      for (let i = 0; i < this.bucketLabels.length; i++) {
        cumulative += s.counts[i] ?? 0;
        yield `${name}_bucket{${this.bucketLabels[i] ?? ""}${s.labels}} ${cumulative}`;
      }
      yield `${name}_sum{${s.labels}} ${formatValue(s.sum)}`;
      yield `${name}_count{${s.labels}} ${s.count}`;
    }
  }

  private labelText(labels: Readonly<Record<L, string>>): string {
    return this.options.labelNames.map((l) => `${l}="${escapeLabelValue(labels[l])}"`).join(",");
  }
}

/** A metric that writes its own text. */
interface TextMetric {
  lines(): Iterable<string>;
}

const textMetrics = new WeakMap<Registry, TextMetric[]>();

/** Adds `metric` to what {@link metricsChunks} writes for `registry`. */
export function registerTextMetric(registry: Registry, metric: TextMetric): void {
  const list = textMetrics.get(registry) ?? [];
  list.push(metric);
  textMetrics.set(registry, list);
}

/** Lines joined into strings of about `size` characters, each line ending in a newline. */
function* chunked(lines: Iterable<string>, size: number): Generator<string> {
  let batch: string[] = [];
  let length = 0;
  for (const line of lines) {
    batch.push(line);
    length += line.length + 1;
    if (length >= size) {
      yield `${batch.join("\n")}\n`;
      [batch, length] = [[], 0];
    }
  }
  if (batch.length > 0) yield `${batch.join("\n")}\n`;
}

/**
 * Everything `/metrics` serves for `registry`, in pieces of about 64 KiB: prom-client's metrics,
 * then each text metric after a blank line (as prom-client separates metrics). Written to the
 * response piece by piece, a scrape holds one piece at a time rather than the whole answer.
 */
export async function* metricsChunks(registry: Registry): AsyncGenerator<string> {
  const base = await registry.metrics();
  // An empty registry writes a lone newline; then the first text metric starts the answer.
  let first = base.trim() === "";
  if (!first) yield base;
  for (const metric of textMetrics.get(registry) ?? []) {
    if (!first) yield "\n";
    first = false;
    yield* chunked(metric.lines(), 64 * 1024);
  }
}

/** The whole `/metrics` text for `registry` (tests, and callers that want one string). */
export async function renderMetrics(registry: Registry): Promise<string> {
  const parts: string[] = [];
  for await (const chunk of metricsChunks(registry)) parts.push(chunk);
  return parts.join("");
}
