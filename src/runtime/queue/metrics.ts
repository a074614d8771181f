/**
 * controller-runtime's `workqueue_*` metrics, so dashboards written for Flux work unchanged.
 *
 * Metric objects are created once per prom-client registry (a second `new Gauge` with the same
 * name would throw) and shared by all queues on it, told apart by the `name`/`controller` labels.
 */
import { Counter, Gauge, Histogram, type Registry } from "prom-client";

/** What one queue reports. */
export interface QueueMetricsRecorder {
  add(): void;
  setDepth(depth: number): void;
  /** Seconds a key waited between add and get. */
  observeQueueLatency(seconds: number): void;
  /** Seconds a key was processed (get to done). */
  observeWorkDuration(seconds: number): void;
  retry(): void;
  /** Registers the callback that reports in-flight work ages (seconds) at scrape time. */
  setInFlightAges(ages: () => readonly number[]): void;
  /** Stops reporting this queue's in-flight work. */
  close(): void;
}

const LABELS = ["name", "controller"] as const;
/** client-go's buckets: 10 ns × 10^i, i = 0..11. */
const BUCKETS = Array.from({ length: 12 }, (_, i) => 1e-8 * 10 ** i);

interface Instruments {
  readonly depth: Gauge<"name" | "controller">;
  readonly adds: Counter<"name" | "controller">;
  readonly latency: Histogram<"name" | "controller">;
  readonly work: Histogram<"name" | "controller">;
  readonly retries: Counter<"name" | "controller">;
  readonly inFlight: Map<string, () => readonly number[]>;
}

const byRegistry = new WeakMap<Registry, Instruments>();

function instruments(registry: Registry): Instruments {
  const existing = byRegistry.get(registry);
  if (existing) return existing;
  const inFlight = new Map<string, () => readonly number[]>();
  const registers = [registry];
  const made: Instruments = {
    depth: new Gauge({
      name: "workqueue_depth",
      help: "Current depth of workqueue",
      labelNames: LABELS,
      registers,
    }),
    adds: new Counter({
      name: "workqueue_adds_total",
      help: "Total number of adds handled by workqueue",
      labelNames: LABELS,
      registers,
    }),
    latency: new Histogram({
      name: "workqueue_queue_duration_seconds",
      help: "How long in seconds an item stays in workqueue before being requested",
      labelNames: LABELS,
      buckets: BUCKETS,
      registers,
    }),
    work: new Histogram({
      name: "workqueue_work_duration_seconds",
      help: "How long in seconds processing an item from workqueue takes",
      labelNames: LABELS,
      buckets: BUCKETS,
      registers,
    }),
    retries: new Counter({
      name: "workqueue_retries_total",
      help: "Total number of retries handled by workqueue",
      labelNames: LABELS,
      registers,
    }),
    inFlight,
  };
  new Gauge({
    name: "workqueue_unfinished_work_seconds",
    help: "How many seconds of work has been done that is in progress and hasn't been observed by work_duration",
    labelNames: LABELS,
    registers,
    collect() {
      for (const [name, ages] of inFlight)
        this.set(
          { name, controller: name },
          ages().reduce((a, b) => a + b, 0),
        );
    },
  });
  new Gauge({
    name: "workqueue_longest_running_processor_seconds",
    help: "How many seconds has the longest running processor for workqueue been running",
    labelNames: LABELS,
    registers,
    collect() {
      for (const [name, ages] of inFlight) this.set({ name, controller: name }, Math.max(0, ...ages()));
    },
  });
  byRegistry.set(registry, made);
  return made;
}

/** A recorder for queue `name` on `registry`; a no-op recorder when no registry is given. */
export function queueMetrics(registry: Registry | undefined, name: string): QueueMetricsRecorder {
  if (registry === undefined) return noopRecorder;
  const m = instruments(registry);
  const labels = { name, controller: name };
  return {
    add: () => m.adds.inc(labels),
    setDepth: (depth) => m.depth.set(labels, depth),
    observeQueueLatency: (s) => m.latency.observe(labels, s),
    observeWorkDuration: (s) => m.work.observe(labels, s),
    retry: () => m.retries.inc(labels),
    setInFlightAges: (ages) => m.inFlight.set(name, ages),
    close: () => m.inFlight.delete(name),
  };
}

const noopRecorder: QueueMetricsRecorder = {
  add: () => undefined,
  setDepth: () => undefined,
  observeQueueLatency: () => undefined,
  observeWorkDuration: () => undefined,
  retry: () => undefined,
  setInFlightAges: () => undefined,
  close: () => undefined,
};
