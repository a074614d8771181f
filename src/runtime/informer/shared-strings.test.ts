import { describe, expect, it } from "vitest";
import { shareStrings, StringTable } from "./shared-strings.js";

/** Distinct string objects of equal value (as two JSON decodes give). */
const decoded = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

describe("StringTable", () => {
  it("hands back the first copy of equal strings", () => {
    const table = new StringTable(10, 100);
    expect(table.shared("True")).toBe("True");
    expect(table.shared(["Tr", "ue"].join(""))).toBe("True");
    expect(table.size).toBe(1);
  });

  it("keeps long strings out of the table", () => {
    const table = new StringTable(10, 4);
    expect(table.shared("longer")).toBe("longer");
    expect(table.size).toBe(0);
  });

  it("starts over when full, so it never holds more than its bound", () => {
    const table = new StringTable(3, 100);
    for (let i = 0; i < 10; i++) table.shared(`v${i}`);
    expect(table.size).toBeLessThanOrEqual(3);
    expect(table.shared("again")).toBe("again");
  });
});

describe("shareStrings", () => {
  const ks = {
    apiVersion: "kustomize.toolkit.fluxcd.io/v1",
    kind: "Kustomization",
    metadata: {
      name: "a",
      namespace: "ns",
      uid: "u-1",
      resourceVersion: "7",
      finalizers: ["finalizers.fluxcd.io"],
    },
    spec: { interval: "10m", prune: true, sourceRef: { kind: "GitRepository", name: "repo" } },
    status: {
      conditions: [
        { type: "Ready", status: "True", reason: "ReconciliationSucceeded", observedGeneration: 1 },
      ],
      inventory: { entries: [{ id: "ns_a__ConfigMap", v: "v1" }] },
    },
  };

  it("leaves every value equal (readers cannot tell)", () => {
    const table = new StringTable(100, 100);
    expect(shareStrings(decoded(ks), table)).toEqual(ks);
  });

  it("shares repeated values across objects, in objects and in arrays", () => {
    const table = new StringTable(100, 100);
    shareStrings(decoded(ks), table);
    const size = table.size;
    shareStrings(decoded({ ...ks, metadata: { ...ks.metadata, name: "b", uid: "u-2" } }), table);
    // The second object brings no new shared string: its unique values are not in the table.
    expect(table.size).toBe(size);
  });

  it("does not share names, uids, resourceVersions or inventory ids", () => {
    const table = new StringTable(100, 100);
    shareStrings(decoded(ks), table);
    for (const unique of ["a", "u-1", "7", "ns_a__ConfigMap", "repo"]) {
      const before = table.size;
      table.shared(unique);
      expect(table.size).toBe(before + 1);
    }
  });

  it("returns non-objects as they are", () => {
    expect(shareStrings("x")).toBe("x");
    expect(shareStrings(null)).toBe(null);
  });
});
