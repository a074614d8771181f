import { describe, expect, it } from "vitest";
import { s6Size } from "../scenarios/s6-capacity.js";
import type { Capacity } from "./capacity.js";
import { noBacklog, s6Rows } from "./s6-report.js";

function capacity(over: Partial<Capacity>): Capacity {
  return {
    kustomizations: 10_000,
    cpuSamples: [1, 0.5],
    cpuSeconds: 300,
    depth: [4000, 0],
    depthAfter: [0, 3, 150],
    rssKb: 600 * 1024,
    ks: { reconciles: 10_000, work: { p50: 0.1, p95: 0.5 }, wait: { p50: 1, p95: 100 } },
    source: { reconciles: 1000, work: {}, wait: {} },
    firstPass: { ms: 200_000, steadyCpuSeconds: 60, steadySeconds: 600 },
    readyAtEnd: 10_000,
    ...over,
  };
}

describe("S6 size", () => {
  it("defaults to the full and quick shapes", () => {
    expect(s6Size(undefined, false)).toEqual({ repos: 1000, perRepo: 10, windowMs: 13 * 60_000 });
    expect(s6Size("", true).repos * s6Size("", true).perRepo).toBeLessThan(1000);
  });

  it("reads <repos>x<perRepo>:<windowMinutes>", () => {
    expect(s6Size("100x10:2.5", false)).toEqual({ repos: 100, perRepo: 10, windowMs: 150_000 });
  });

  it("refuses anything else with the expected form", () => {
    expect(() => s6Size("1000:10", false)).toThrow(/<repos>x<perRepo>:<windowMinutes>/);
  });
});

describe("S6 goals", () => {
  it("counts a drained queue after the first pass as no backlog", () => {
    expect(noBacklog(capacity({}))).toBe(true);
  });

  it("is a backlog when the first pass did not end or the queue stays deep", () => {
    expect(noBacklog(capacity({ firstPass: undefined, depthAfter: [] }))).toBe(false);
    expect(noBacklog(capacity({ depthAfter: [500, 800, 900] }))).toBe(false);
  });

  it("says not run for a set left out and marks the RSS goal", () => {
    const rows = s6Rows([capacity({ rssKb: 2 * 1024 * 1024 }), undefined, capacity({})], 10_000);
    expect(rows.find((r) => r[0] === "goal: peak RSS ≤ 1 GiB")?.slice(1, 4)).toEqual([
      "**no**",
      "not run",
      "yes",
    ]);
    expect(rows.find((r) => r[0] === "steady-state CPU after the first pass")?.[1]).toBe(
      "0.10 cores (60 CPU-s over 600 s)",
    );
  });
});
