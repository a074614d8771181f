import { describe, expect, it } from "vitest";
import { parseControllerArgs } from "./cli/commands/controller.js";
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
    });
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

  it("build limits: defaults, overrides through the command line, and a heap floor (issue 14)", () => {
    expect(controllerConfig({}, {})).toMatchObject({
      buildMaxHeapBytes: 512 * 1024 * 1024,
      buildMaxFileBytes: 16 * 1024 * 1024,
      buildMaxTotalBytes: 64 * 1024 * 1024,
      buildMaxObjects: 10_000,
    });
    const args = [
      "--build-max-heap-bytes=134217728",
      "--build-max-file-bytes=1000",
      "--build-max-total-bytes=5000",
      "--build-max-objects=7",
    ];
    expect(parseControllerArgs(args, {})).toMatchObject({
      buildMaxHeapBytes: 134217728,
      buildMaxFileBytes: 1000,
      buildMaxTotalBytes: 5000,
      buildMaxObjects: 7,
    });
    expect(() => controllerConfig({ buildMaxHeapBytes: "1000" }, {})).toThrow(
      /--build-max-heap-bytes must be an integer >= 67108864/,
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
