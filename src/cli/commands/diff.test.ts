import { describe, expect, it } from "vitest";
import { fieldChanges } from "./diff.js";

describe("fieldChanges", () => {
  it("names each changed, added and removed leaf by a dotted path", () => {
    const live = { data: { a: "1", gone: "x" }, spec: { ports: [{ port: 80 }, { port: 443 }] } };
    const desired = { data: { a: "2", added: "y" }, spec: { ports: [{ port: 80 }, { port: 8443 }] } };
    expect(fieldChanges(live, desired, "")).toEqual([
      { path: "data.a", live: "1", desired: "2" },
      { path: "data.added", live: undefined, desired: "y" },
      { path: "data.gone", live: "x", desired: undefined },
      { path: "spec.ports[1].port", live: 443, desired: 8443 },
    ]);
  });

  it("reports an array that changed length as one change, and nothing for equal objects", () => {
    expect(fieldChanges({ args: ["a"] }, { args: ["a", "b"] }, "")).toEqual([
      { path: "args", live: ["a"], desired: ["a", "b"] },
    ]);
    expect(fieldChanges({ a: { b: [1, { c: null }] } }, { a: { b: [1, { c: null }] } }, "")).toEqual([]);
  });
});
