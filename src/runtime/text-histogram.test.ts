import { Histogram, Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { reconcileDurationBuckets } from "./metrics.js";
import { registerTextMetric, renderMetrics, TextHistogram } from "./text-histogram.js";

const labelNames = ["kind", "name", "namespace"] as const;
type L = (typeof labelNames)[number];
const options = {
  name: "h_seconds",
  help: "Help with a \\ and a\nnewline.",
  labelNames,
  buckets: reconcileDurationBuckets(),
};

/** The same observations into prom-client's Histogram and a TextHistogram. */
async function both(
  observations: [Record<L, string>, number][],
  removed: Record<L, string>[] = [],
): Promise<[string, string]> {
  const reference = new Registry();
  const ours = new Registry();
  const h = new Histogram({
    ...options,
    labelNames: [...labelNames],
    buckets: [...options.buckets],
    registers: [reference],
  });
  const t = new TextHistogram(options);
  registerTextMetric(ours, t);
  for (const [labels, v] of observations) {
    h.observe(labels, v);
    t.observe(labels, v);
  }
  for (const labels of removed) {
    h.remove(labels);
    t.remove(labels);
  }
  return [await reference.metrics(), await renderMetrics(ours)];
}

describe("TextHistogram", () => {
  it("writes what prom-client's Histogram writes, line for line", async () => {
    const a = { kind: "Kustomization", name: "a", namespace: "ns" };
    const odd = { kind: "GitRepository", name: 'quote" back\\slash', namespace: "new\nline" };
    const [reference, ours] = await both([
      [a, 0.005],
      [a, 0.5],
      [a, 2],
      [a, 5000],
      [odd, 0.01],
      [odd, 1800],
      [a, 0.123456789],
    ]);
    expect(ours).toBe(reference);
  });

  it("drops a removed series and writes only HELP and TYPE when none is left", async () => {
    const a = { kind: "Kustomization", name: "a", namespace: "ns" };
    const b = { kind: "Kustomization", name: "b", namespace: "ns" };
    const [reference, ours] = await both(
      [
        [a, 1],
        [b, 1],
      ],
      [a],
    );
    expect(ours).toBe(reference);
    expect(ours).not.toContain('name="a"');
    const [emptyReference, empty] = await both([[a, 1]], [a]);
    expect(empty).toBe(emptyReference);
  });

  it("renders after the registry's own metrics, separated as prom-client separates them", async () => {
    const registry = new Registry();
    const t = new TextHistogram(options);
    registerTextMetric(registry, t);
    t.observe({ kind: "K", name: "n", namespace: "ns" }, 1);
    new Histogram({ name: "other_seconds", help: "x", buckets: [1], registers: [registry] }).observe(1);
    const text = await renderMetrics(registry);
    expect(text).toMatch(/^# HELP other_seconds x\n[\s\S]*\n\n# HELP h_seconds /);
    expect(text.endsWith('h_seconds_count{kind="K",name="n",namespace="ns"} 1\n')).toBe(true);
  });
});
