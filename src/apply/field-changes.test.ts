import { describe, expect, it } from "vitest";
import { objectChanges, SENSITIVE } from "./field-changes.js";
import type { KubeObject } from "./types.js";

const cm = (body: Record<string, unknown>, metadata: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name: "a", namespace: "ns", ...metadata },
  ...body,
});

const paths = (changes: { path: string; live: unknown; desired: unknown }[]) =>
  changes.map(({ path, live, desired }) => ({ path, live, desired }));

describe("objectChanges (the one comparison of diff, drift and drift reports)", () => {
  it("names each changed, added and removed leaf by a dotted path", () => {
    const live = cm({ data: { a: "1", gone: "x" }, spec: { ports: [{ port: 80 }, { port: 443 }] } });
    const desired = cm({ data: { a: "2", added: "y" }, spec: { ports: [{ port: 80 }, { port: 8443 }] } });
    expect(paths(objectChanges(live, desired))).toEqual([
      { path: "data.a", live: "1", desired: "2" },
      { path: "data.added", live: undefined, desired: "y" },
      { path: "data.gone", live: "x", desired: undefined },
      { path: "spec.ports[1].port", live: 443, desired: 8443 },
    ]);
    expect(objectChanges(live, desired)[3]?.segments).toEqual(["spec", "ports", "1", "port"]);
  });

  it("reports an array that changed length as one change, and nothing for equal objects", () => {
    expect(paths(objectChanges(cm({ args: ["a"] }), cm({ args: ["a", "b"] })))).toEqual([
      { path: "args", live: ["a"], desired: ["a", "b"] },
    ]);
    const same = cm({ a: { b: [1, { c: null }] } });
    expect(objectChanges(same, structuredClone(same))).toEqual([]);
  });

  it("leaves out status, server bookkeeping and ignored paths; keeps annotation keys whole", () => {
    const live = cm(
      { status: { x: 1 }, data: { keep: "1", skip: "live" } },
      { resourceVersion: "5", uid: "u", managedFields: [{ manager: "m" }], annotations: { "a.b/c": "1" } },
    );
    const desired = cm({ data: { keep: "1", skip: "git" } }, { annotations: { "a.b/c": "2" } });
    const changes = objectChanges(live, desired, ["/data/skip"]);
    expect(paths(changes)).toEqual([{ path: "metadata.annotations.a.b/c", live: "1", desired: "2" }]);
    expect(changes[0]?.segments).toEqual(["metadata", "annotations", "a.b/c"]);
  });

  it("masks Secret values, never their keys", () => {
    const secret = (v: string): KubeObject => ({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "s" },
      data: { password: v },
    });
    expect(paths(objectChanges(secret("b2xk"), secret("bmV3")))).toEqual([
      { path: "data.password", live: SENSITIVE, desired: SENSITIVE },
    ]);
  });
});
