import { describe, expect, it } from "vitest";
import { withoutManagedFields } from "./without-managed-fields.js";

describe("withoutManagedFields", () => {
  it("drops metadata.managedFields and keeps everything else", () => {
    const obj = {
      metadata: {
        name: "a",
        annotations: { "reconcile.fluxcd.io/requestedAt": "now" },
        managedFields: [{ manager: "kubectl", operation: "Apply" }],
      },
      spec: { interval: "1m" },
      status: { observedGeneration: 2 },
    };
    expect(withoutManagedFields(obj)).toEqual({
      metadata: { name: "a", annotations: { "reconcile.fluxcd.io/requestedAt": "now" } },
      spec: { interval: "1m" },
      status: { observedGeneration: 2 },
    });
    expect(obj.metadata.managedFields).toHaveLength(1);
  });

  it("returns the object itself when it has none", () => {
    const obj = { metadata: { name: "a" } };
    expect(withoutManagedFields(obj)).toBe(obj);
  });
});
