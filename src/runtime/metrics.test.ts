import { describe, expect, it } from "vitest";
import { renderMetrics } from "./text-histogram.js";
import {
  DriftMetrics,
  ReconcileMetrics,
  createMetricsRegistry,
  reconcileDurationBuckets,
} from "./metrics.js";

describe("ReconcileMetrics", () => {
  it("uses 10 buckets from 10 ms to 1800 s", () => {
    const b = reconcileDurationBuckets();
    expect(b).toHaveLength(10);
    expect(b[0]).toBeCloseTo(0.01);
    expect(b[9]).toBeCloseTo(1800);
  });

  it("records per object and deletes the series", async () => {
    const registry = createMetricsRegistry({ processMetrics: false });
    const m = new ReconcileMetrics(registry);
    m.recordDuration("GitRepository", { namespace: "ns", name: "a" }, 0.5);
    m.recordDuration("GitRepository", { namespace: "ns", name: "b" }, 2);
    let text = await renderMetrics(registry);
    expect(text).toContain(
      'gotk_reconcile_duration_seconds_count{kind="GitRepository",name="a",namespace="ns"} 1',
    );
    m.deleteObject("GitRepository", { namespace: "ns", name: "a" });
    text = await renderMetrics(registry);
    expect(text).not.toContain('name="a"');
    expect(text).toContain('name="b"');
    expect(() => new ReconcileMetrics(registry)).not.toThrow();
  });
});

describe("DriftMetrics", () => {
  it("counts corrections by kind and namespace on the shared registry (issue 20)", async () => {
    const registry = createMetricsRegistry({ processMetrics: false });
    new DriftMetrics(registry).recordCorrection("ConfigMap", "apps");
    new DriftMetrics(registry).recordCorrection("ConfigMap", "apps");
    new DriftMetrics(registry).recordCorrection("ClusterRole", "");
    const text = await registry.metrics();
    expect(text).toContain('mooring_drift_corrections_total{kind="ConfigMap",namespace="apps"} 2');
    expect(text).toContain('mooring_drift_corrections_total{kind="ClusterRole",namespace=""} 1');
  });
});
