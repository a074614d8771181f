import { describe, expect, it } from "vitest";
import { bucketDelta, buckets, histogramQuantile, parseMetrics, valueOf } from "./prom.js";

const TEXT = `# HELP workqueue_depth Current depth of workqueue
# TYPE workqueue_depth gauge
workqueue_depth{controller="kustomization",name="kustomization"} 7
workqueue_depth{controller="gitrepository",name="gitrepository"} 2
workqueue_work_duration_seconds_bucket{name="kustomization",le="0.1"} 10
workqueue_work_duration_seconds_bucket{name="kustomization",le="1"} 90
workqueue_work_duration_seconds_bucket{name="kustomization",le="+Inf"} 100
workqueue_work_duration_seconds_count{name="kustomization"} 100
`;

describe("prometheus readings", () => {
  const samples = parseMetrics(TEXT);

  it("reads one queue's gauge by its label", () => {
    expect(valueOf(samples, "workqueue_depth", 'name="kustomization"')).toBe(7);
    expect(valueOf(samples, "workqueue_work_duration_seconds_count", 'name="kustomization"')).toBe(100);
  });

  it("interpolates a quantile inside its bucket, as histogram_quantile does", () => {
    const b = buckets(samples, "workqueue_work_duration_seconds", 'name="kustomization"');
    expect(histogramQuantile(0.5, b)).toBeCloseTo(0.1 + (0.9 * 40) / 80);
    expect(histogramQuantile(0.05, b)).toBeCloseTo(0.05);
    // In the +Inf bucket: the largest finite bound.
    expect(histogramQuantile(0.99, b)).toBe(1);
  });

  it("takes quantiles of what was observed between two scrapes", () => {
    const before = new Map([
      [0.1, 10],
      [1, 10],
      [Infinity, 10],
    ]);
    const after = buckets(samples, "workqueue_work_duration_seconds", 'name="kustomization"');
    const delta = bucketDelta(before, after);
    expect([...delta.values()]).toEqual([0, 80, 90]);
    expect(histogramQuantile(0.5, delta)).toBeCloseTo(0.1 + (0.9 * 45) / 80);
  });

  it("has no quantile for an empty window", () => {
    expect(histogramQuantile(0.5, new Map([[Infinity, 0]]))).toBeUndefined();
  });
});
