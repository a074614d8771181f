import { describe, expect, it } from "vitest";
import { ConfigError, controllerConfig } from "./config.js";

describe("controller config", () => {
  it("has Flux's defaults", () => {
    const c = controllerConfig({}, { HOSTNAME: "pod-1" });
    expect(c).toMatchObject({
      concurrent: 4,
      requeueDependencyMs: 30_000,
      storagePath: "/data",
      storageAddr: ":9090",
      storageAdvAddr: "localhost:9090",
      metricsAddr: ":8080",
      healthAddr: ":9440",
      artifactRetentionTtlMs: 60_000,
      artifactRetentionRecords: 2,
      minRetryDelayMs: 750,
      maxRetryDelayMs: 900_000,
      leaderElect: false,
      logEncoding: "json",
      gracefulShutdownTimeoutMs: 25_000,
    });
    expect(controllerConfig({ gracefulShutdownTimeout: "10s" }, {}).gracefulShutdownTimeoutMs).toBe(10_000);
    expect(Object.isFrozen(c)).toBe(true);
  });

  it("rejects nonsense with the flag's name", () => {
    expect(() => controllerConfig({ concurrent: "0" }, {})).toThrow(
      new ConfigError('--concurrent must be an integer >= 1, got "0"'),
    );
    expect(() => controllerConfig({ requeueDependency: "soon" }, {})).toThrow(
      /--requeue-dependency: time: invalid duration/,
    );
    expect(() => controllerConfig({ logEncoding: "xml" }, {})).toThrow(
      /--log-encoding must be one of json, console/,
    );
  });

  it("derives the advertised address like Flux unless one is given", () => {
    expect(controllerConfig({ storageAddr: "0.0.0.0:9090" }, { HOSTNAME: "host-a" }).storageAdvAddr).toBe(
      "host-a:9090",
    );
    expect(controllerConfig({ storageAdvAddr: "mooring.mooring-system.svc" }, {}).storageAdvAddr).toBe(
      "mooring.mooring-system.svc",
    );
  });
});
