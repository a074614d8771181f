import { describe, expect, it } from "vitest";
import { jitter, jitterWith } from "./jitter.js";

describe("jitter", () => {
  it("stays within ± 5 % by default", () => {
    expect(jitter(60_000, 5, () => 0)).toBe(57_000);
    expect(jitter(60_000, 5, () => 0.5)).toBe(60_000);
    expect(jitter(60_000, 5, () => 0.999999)).toBeLessThan(63_000);
    for (let i = 0; i < 1000; i++) {
      const v = jitter(10_000);
      expect(v).toBeGreaterThanOrEqual(9_500);
      expect(v).toBeLessThanOrEqual(10_500);
    }
  });
  it("leaves zero intervals and zero percent alone", () => {
    expect(jitter(0)).toBe(0);
    expect(jitter(1000, 0)).toBe(1000);
    expect(jitterWith(10, () => 1)(1000)).toBe(1100);
  });
});
