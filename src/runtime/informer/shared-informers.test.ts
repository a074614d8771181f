import { KubeConfig } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { SharedInformers } from "./shared-informers.js";

const kc = (): KubeConfig => {
  const k = new KubeConfig();
  k.loadFromOptions({
    clusters: [{ name: "c", server: "https://127.0.0.1:1" }],
    users: [{ name: "u" }],
    contexts: [{ name: "x", cluster: "c", user: "u" }],
    currentContext: "x",
  });
  return k;
};

const GIT = { name: "gitrepositories", apiVersion: "source.toolkit.fluxcd.io/v1", plural: "gitrepositories" };

describe("SharedInformers", () => {
  it("gives every consumer of one collection and selector the same informer, with all their indexes", () => {
    const shared = new SharedInformers(kc());
    const a = shared.get(GIT, { one: () => ["1"] });
    const b = shared.get({ ...GIT, namespace: "" }, { two: () => ["2"] });
    expect(b).toBe(a);
    expect(shared.size).toBe(1);
    expect(a.store.byIndex("one", "1")).toEqual([]);
    expect(a.store.byIndex("two", "2")).toEqual([]);
  });

  it("keeps a separate informer per namespace and per label selector", () => {
    const shared = new SharedInformers(kc());
    const all = shared.get(GIT);
    expect(shared.get({ ...GIT, namespace: "team" })).not.toBe(all);
    expect(shared.get({ ...GIT, labelSelector: "shard=1" })).not.toBe(all);
    expect(shared.get({ ...GIT, labelSelector: "shard=1" })).toBe(
      shared.get({ ...GIT, labelSelector: "shard=1" }),
    );
    expect(shared.size).toBe(3);
  });
});
