/**
 * Flux's reconcile metrics on a prom-client registry: `gotk_reconcile_duration_seconds
 * {kind,name,namespace}` (flux-compat §6.3), recorded at the end of every reconcile and deleted
 * when the object is gone so series of deleted objects do not linger.
 */
import { Counter, Histogram, Registry, collectDefaultMetrics, exponentialBuckets } from "prom-client";
import { registerTextMetric, TextHistogram } from "./text-histogram.js";

/** A fresh registry, optionally with Node's process metrics (what `/metrics` serves). */
export function createMetricsRegistry(options: { processMetrics?: boolean } = {}): Registry {
  const registry = new Registry();
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry });
  return registry;
}

/**
 * Flux's buckets: 10 exponential buckets from 10 ms to 1800 s (Go's ExponentialBucketsRange).
 */
export function reconcileDurationBuckets(): number[] {
  const count = 10;
  const factor = Math.pow(1800 / 0.01, 1 / (count - 1));
  return exponentialBuckets(0.01, factor, count);
}

type Labels = "kind" | "name" | "namespace";

const histograms = new WeakMap<Registry, TextHistogram<Labels>>();

/**
 * Records reconcile durations per object. One series per object, so it is rendered by
 * {@link TextHistogram} (see there) and served by `renderMetrics`, not by prom-client.
 */
export class ReconcileMetrics {
  private readonly duration: TextHistogram<Labels>;

  constructor(registry: Registry) {
    let h = histograms.get(registry);
    if (h === undefined) {
      h = new TextHistogram({
        name: "gotk_reconcile_duration_seconds",
        help: "The duration in seconds of a GitOps Toolkit resource reconciliation.",
        labelNames: ["kind", "name", "namespace"],
        buckets: reconcileDurationBuckets(),
      });
      registerTextMetric(registry, h);
      histograms.set(registry, h);
    }
    this.duration = h;
  }

  /** Observes one reconcile of `kind` `namespace/name` that took `seconds`. */
  recordDuration(kind: string, key: { namespace: string; name: string }, seconds: number): void {
    this.duration.observe({ kind, name: key.name, namespace: key.namespace }, seconds);
  }

  /** Drops the series of a deleted object. */
  deleteObject(kind: string, key: { namespace: string; name: string }): void {
    this.duration.remove({ kind, name: key.name, namespace: key.namespace });
  }
}

/**
 * client-go's `rest_client_rate_limiter_duration_seconds` (which Flux's controllers export): how
 * long requests waited for the client-side rate limiter; a growing sum means `--kube-api-qps` binds.
 */
export function rateLimiterWaitRecorder(registry: Registry): (seconds: number) => void {
  const h = new Histogram({
    name: "rest_client_rate_limiter_duration_seconds",
    help: "Client side rate limiter latency in seconds.",
    buckets: [0.005, 0.025, 0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60],
    registers: [registry],
  });
  return (seconds) => h.observe(seconds);
}

const driftCounters = new WeakMap<Registry, Counter<"kind" | "namespace">>();

/**
 * mooring's drift audit (issue 20 item 2): `mooring_drift_corrections_total{kind,namespace}`
 * counts managed objects whose drift (someone else's change) an apply reverted. By kind and the
 * object's namespace, not by object, so the series stay few.
 */
export class DriftMetrics {
  private readonly corrections: Counter<"kind" | "namespace">;

  constructor(registry: Registry) {
    let c = driftCounters.get(registry);
    if (c === undefined) {
      c = new Counter({
        name: "mooring_drift_corrections_total",
        help: "Managed objects whose drift (a change by another field manager) mooring reverted.",
        labelNames: ["kind", "namespace"],
        registers: [registry],
      });
      driftCounters.set(registry, c);
    }
    this.corrections = c;
  }

  /** Counts one corrected object (`namespace` "" when cluster-scoped). */
  recordCorrection(kind: string, namespace: string): void {
    this.corrections.inc({ kind, namespace });
  }
}
