import { describe, expect, it } from "vitest";
import {
  RECONCILE_REQUEST_ANNOTATION,
  isReconcileRequestPending,
  requestedAtChanged,
  withLastHandledReconcileAt,
} from "./reconcile-request.js";

const obj = (value?: string, handled?: string) => ({
  metadata: {
    generation: 1,
    ...(value === undefined ? {} : { annotations: { [RECONCILE_REQUEST_ANNOTATION]: value } }),
  },
  status: handled === undefined ? {} : { lastHandledReconcileAt: handled },
});

describe("reconcile requests", () => {
  it("is pending until echoed", () => {
    expect(isReconcileRequestPending(obj("t1"))).toBe(true);
    expect(isReconcileRequestPending(obj("t1", "t0"))).toBe(true);
    expect(isReconcileRequestPending(obj("t1", "t1"))).toBe(false);
    expect(isReconcileRequestPending(obj())).toBe(false);
  });
  it("echoes the annotation into status", () => {
    expect(withLastHandledReconcileAt(obj("t2", "t1")).status).toEqual({ lastHandledReconcileAt: "t2" });
    const none = obj();
    expect(withLastHandledReconcileAt(none)).toBe(none);
  });
  it("detects a changed request value", () => {
    expect(requestedAtChanged(obj(), obj("t1"))).toBe(true);
    expect(requestedAtChanged(obj("t1"), obj("t2"))).toBe(true);
    expect(requestedAtChanged(obj("t1"), obj("t1"))).toBe(false);
    expect(requestedAtChanged(obj("t1"), obj())).toBe(false);
    expect(requestedAtChanged(undefined, obj("t1"))).toBe(true);
  });
});
