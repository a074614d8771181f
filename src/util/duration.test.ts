import { describe, expect, it } from "vitest";
import { DurationParseError, formatDuration, parseDuration } from "./duration.js";

describe("parseDuration", () => {
  it.each([
    ["0", 0],
    ["1h", 3_600_000],
    ["1m30s", 90_000],
    ["500ms", 500],
    ["1.5s", 1_500],
    ["1.5h", 5_400_000],
    ["-1m", -60_000],
    ["+2s", 2_000],
    ["1h2m3s4ms", 3_723_004],
    ["10us", 0.01],
    ["10µs", 0.01],
    ["10μs", 0.01],
    ["100ns", 0.0001],
    [".5s", 500],
    ["1.s", 1_000],
    ["0s", 0],
    ["2m0s", 120_000],
  ])("%s = %d ms", (input, ms) => {
    expect(parseDuration(input)).toBeCloseTo(ms, 9);
  });

  it.each([
    ["", 'time: invalid duration ""'],
    ["1", 'time: missing unit in duration "1"'],
    ["1d", 'time: unknown unit "d" in duration "1d"'],
    ["s", 'time: invalid duration "s"'],
    ["-", 'time: invalid duration "-"'],
    [".s", 'time: invalid duration ".s"'],
    ["1m 30s", 'time: unknown unit "m " in duration "1m 30s"'],
    ["1h-1m", 'time: unknown unit "h-" in duration "1h-1m"'],
  ])("rejects %j", (input, message) => {
    expect(() => parseDuration(input)).toThrow(DurationParseError);
    expect(() => parseDuration(input)).toThrow(message);
  });
});

describe("formatDuration", () => {
  it.each([
    [0, "0s"],
    [500, "500ms"],
    [1_500, "1.5s"],
    [60_000, "1m0s"],
    [90_000, "1m30s"],
    [3_600_000, "1h0m0s"],
    [5_400_000, "1h30m0s"],
    [3_723_004, "1h2m3.004s"],
    [-60_000, "-1m0s"],
    [0.0015, "1.5µs"],
    [0.0001, "100ns"],
    [1.25, "1.25ms"],
    [30_000, "30s"],
    [36_000_000_000, "10000h0m0s"],
  ])("%d ms = %s", (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it("round-trips through parseDuration", () => {
    for (const text of ["1h0m0s", "1m30s", "500ms", "2.5s", "4m0.001s"]) {
      expect(formatDuration(parseDuration(text))).toBe(text);
    }
  });
});
