import { describe, expect, it } from "vitest";
import { parseDuration } from "../util/duration.js";
import { kustomizationRetryInterval, kustomizationTimeout } from "./timeout.js";

const d = parseDuration;

describe("kustomizationTimeout", () => {
  it.each<[string, string | undefined, string]>([
    ["10m", undefined, "9m30s"],
    ["1h", undefined, "59m30s"],
    ["1m", undefined, "30s"],
    ["45s", undefined, "30s"],
    ["10s", undefined, "30s"],
    ["10m", "2m", "2m"],
    ["10m", "10s", "30s"],
    ["1m", "5m", "5m"],
  ])("interval %s, timeout %s → %s", (interval, timeout, want) => {
    expect(kustomizationTimeout(d(interval), timeout === undefined ? undefined : d(timeout))).toBe(d(want));
  });
});

describe("kustomizationRetryInterval", () => {
  it("defaults to the interval", () => {
    expect(kustomizationRetryInterval(d("5m"))).toBe(d("5m"));
    expect(kustomizationRetryInterval(d("5m"), d("30s"))).toBe(d("30s"));
  });
});
