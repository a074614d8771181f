import { describe, expect, it } from "vitest";
import { Store } from "./store.js";

type Ks = {
  metadata: { name: string; namespace: string; resourceVersion?: string };
  spec: { source: string };
};
const ks = (name: string, source: string): Ks => ({ metadata: { name, namespace: "ns" }, spec: { source } });

describe("Store", () => {
  it("keeps objects by key and maintains secondary indexes", () => {
    const s = new Store<Ks>({ bySource: (o) => [o.spec.source] });
    s.set(ks("a", "git/x"));
    s.set(ks("b", "git/x"));
    s.set(ks("c", "git/y"));
    expect(
      s
        .byIndex("bySource", "git/x")
        .map((o) => o.metadata.name)
        .sort(),
    ).toEqual(["a", "b"]);
    s.set(ks("a", "git/y")); // re-pointed
    expect(s.byIndex("bySource", "git/x").map((o) => o.metadata.name)).toEqual(["b"]);
    expect(
      s
        .byIndex("bySource", "git/y")
        .map((o) => o.metadata.name)
        .sort(),
    ).toEqual(["a", "c"]);
    s.delete("ns/c");
    expect(s.byIndex("bySource", "git/y").map((o) => o.metadata.name)).toEqual(["a"]);
    expect(s.get("ns/a")?.spec.source).toBe("git/y");
    expect(s.size).toBe(2);
    expect(() => s.byIndex("nope", "x")).toThrow();
  });

  it("adds indexes later (a second consumer of a shared informer), indexing what is cached", () => {
    const bySource = (o: Ks): string[] => [o.spec.source];
    const s = new Store<Ks>({ bySource });
    s.set(ks("a", "git/x"));
    s.addIndexers({ byName: (o) => [o.metadata.name], bySource });
    expect(s.byIndex("byName", "a").map((o) => o.spec.source)).toEqual(["git/x"]);
    s.set(ks("b", "git/x"));
    expect(s.byIndex("byName", "b")).toHaveLength(1);
    expect(s.byIndex("bySource", "git/x")).toHaveLength(2);
    expect(() => s.addIndexers({ bySource: (o) => [o.metadata.name] })).toThrow(/already registered/);
  });
});
