import { describe, expect, it } from "vitest";
import { startProbeServer } from "./health-server.js";
import { parseListenAddress } from "./listen.js";
import { ReconcileMetrics, createMetricsRegistry } from "./metrics.js";

describe("probe server", () => {
  it("serves healthz, readyz and metrics", async () => {
    let synced = false;
    const registry = createMetricsRegistry({ processMetrics: false });
    new ReconcileMetrics(registry).recordDuration("Kustomization", { namespace: "n", name: "k" }, 1);
    const s = await startProbeServer("127.0.0.1:0", {
      healthChecks: { ping: () => true },
      readyChecks: { "informers-synced": () => synced },
      registry,
    });
    try {
      const base = `http://127.0.0.1:${s.port}`;
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      const notReady = await fetch(`${base}/readyz`);
      expect(notReady.status).toBe(500);
      expect(await notReady.text()).toContain("[-]informers-synced failed");
      synced = true;
      expect((await fetch(`${base}/readyz`)).status).toBe(200);
      const metrics = await (await fetch(`${base}/metrics`)).text();
      expect(metrics).toContain("gotk_reconcile_duration_seconds_bucket");
      expect((await fetch(`${base}/nope`)).status).toBe(404);
    } finally {
      await s.close();
    }
  });

  it("parses listen addresses", () => {
    expect(parseListenAddress(":8080")).toEqual({ host: undefined, port: 8080 });
    expect(parseListenAddress("127.0.0.1:9440")).toEqual({ host: "127.0.0.1", port: 9440 });
    expect(parseListenAddress("[::1]:0")).toEqual({ host: "::1", port: 0 });
    expect(() => parseListenAddress(":x")).toThrow();
  });
});
