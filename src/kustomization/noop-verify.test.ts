import { describe, expect, it } from "vitest";
import { NoopVerifySchedule } from "./noop-verify.js";

describe("NoopVerifySchedule (issue 17)", () => {
  it("verifies every Nth apply of each Kustomization, on its own count", () => {
    const s = new NoopVerifySchedule(3);
    expect([1, 2, 3, 4, 5, 6].map(() => s.next("ns/a"))).toEqual([false, false, true, false, false, true]);
    expect(s.next("ns/b")).toBe(false);
    s.forget("ns/a");
    expect([s.next("ns/a"), s.next("ns/a"), s.next("ns/a")]).toEqual([false, false, true]);
  });

  it("1 verifies every apply (Flux), 0 never", () => {
    const always = new NoopVerifySchedule(1);
    expect([always.next("k"), always.next("k")]).toEqual([true, true]);
    const never = new NoopVerifySchedule(0);
    expect([never.next("k"), never.next("k")]).toEqual([false, false]);
  });
});
