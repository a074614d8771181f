import { describe, expect, it } from "vitest";
import { ExponentialRateLimiter } from "./rate-limiter.js";

describe("ExponentialRateLimiter", () => {
  it("doubles from 750 ms and caps at 15 min by default", () => {
    const rl = new ExponentialRateLimiter();
    const delays = Array.from({ length: 14 }, () => rl.when("a"));
    expect(delays.slice(0, 4)).toEqual([750, 1500, 3000, 6000]);
    expect(delays.at(-1)).toBe(900_000);
    expect(Math.max(...delays)).toBe(900_000);
    expect(rl.numRequeues("a")).toBe(14);
  });

  it("is per key, and forget resets", () => {
    const rl = new ExponentialRateLimiter({ baseDelayMs: 10, maxDelayMs: 1000 });
    rl.when("a");
    rl.when("a");
    expect(rl.when("b")).toBe(10);
    expect(rl.when("a")).toBe(40);
    rl.forget("a");
    expect(rl.numRequeues("a")).toBe(0);
    expect(rl.when("a")).toBe(10);
  });

  it("never overflows", () => {
    const rl = new ExponentialRateLimiter({ baseDelayMs: 750, maxDelayMs: 900_000 });
    for (let i = 0; i < 2000; i++) rl.when("x");
    expect(rl.when("x")).toBe(900_000);
  });
});
