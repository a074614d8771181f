import { describe, expect, it } from "vitest";
import {
  MAX_MESSAGE_LENGTH,
  deleteCondition,
  getCondition,
  isTrue,
  isUnknown,
  markFalse,
  markReconciling,
  markStalled,
  markTrue,
  markUnknown,
  type ConditionedObject,
} from "./conditions.js";

const t0 = new Date("2026-01-01T00:00:00.123Z");
const t1 = new Date("2026-01-01T00:01:00Z");
const base: ConditionedObject = { metadata: { generation: 3 }, status: {} };

describe("condition helpers", () => {
  it("stamp observedGeneration and second-precision time", () => {
    const o = markTrue(base, "Ready", { reason: "Succeeded", message: "ok", now: t0 });
    expect(getCondition(o, "Ready")).toEqual({
      type: "Ready",
      status: "True",
      observedGeneration: 3,
      lastTransitionTime: "2026-01-01T00:00:00Z",
      reason: "Succeeded",
      message: "ok",
    });
    expect(base.status?.conditions).toBeUndefined(); // input untouched
  });

  it("change lastTransitionTime only when status changes", () => {
    const a = markFalse(base, "Ready", { reason: "A", message: "a", now: t0 });
    const b = markFalse(a, "Ready", { reason: "B", message: "b", now: t1 });
    expect(getCondition(b, "Ready")?.lastTransitionTime).toBe("2026-01-01T00:00:00Z");
    expect(getCondition(b, "Ready")?.reason).toBe("B");
    const c = markTrue(b, "Ready", { reason: "C", message: "c", now: t1 });
    expect(getCondition(c, "Ready")?.lastTransitionTime).toBe("2026-01-01T00:01:00Z");
  });

  it("return the same object for an identical condition", () => {
    const a = markTrue(base, "X", { reason: "R", message: "m", now: t0 });
    expect(markTrue(a, "X", { reason: "R", message: "m", now: t1 })).toBe(a);
  });

  it("markReconciling clears Stalled and markStalled clears Reconciling", () => {
    const stalled = markStalled(base, { reason: "URLInvalid", message: "bad", now: t0 });
    expect(isTrue(stalled, "Stalled")).toBe(true);
    const rec = markReconciling(stalled, { reason: "Progressing", message: "go", now: t0 });
    expect(getCondition(rec, "Stalled")).toBeUndefined();
    expect(isTrue(rec, "Reconciling")).toBe(true);
    const again = markStalled(rec, { reason: "URLInvalid", message: "bad", now: t0 });
    expect(getCondition(again, "Reconciling")).toBeUndefined();
  });

  it("sort Stalled, Reconciling, Ready first, then by type", () => {
    let o = markTrue(base, "Zeta", { reason: "r", message: "", now: t0 });
    o = markTrue(o, "Alpha", { reason: "r", message: "", now: t0 });
    o = markUnknown(o, "Ready", { reason: "r", message: "", now: t0 });
    o = markStalled(o, { reason: "r", message: "", now: t0 });
    o = markTrue(o, "Reconciling", { reason: "r", message: "", now: t0 });
    expect(o.status?.conditions?.map((c) => c.type)).toEqual([
      "Stalled",
      "Reconciling",
      "Ready",
      "Alpha",
      "Zeta",
    ]);
  });

  it("trim long messages to the limit", () => {
    const o = markFalse(base, "Ready", {
      reason: "R",
      message: "x".repeat(MAX_MESSAGE_LENGTH + 10),
      now: t0,
    });
    const msg = getCondition(o, "Ready")?.message ?? "";
    expect(msg).toHaveLength(MAX_MESSAGE_LENGTH);
    expect(msg.endsWith("...")).toBe(true);
  });

  it("delete and isUnknown", () => {
    const o = markTrue(base, "X", { reason: "r", message: "", now: t0 });
    expect(isUnknown(deleteCondition(o, "X"), "X")).toBe(true);
    expect(deleteCondition(base, "X")).toBe(base);
  });
});
