import { describe, expect, it } from "vitest";
import type { Kustomization } from "../api/index.js";
import { FreshReads } from "../runtime/informer/fresh-reads.js";
import { Store } from "../runtime/informer/store.js";
import { CachedKustomizationClient } from "./cached-client.js";
import type { SourceObject } from "./ports.js";
import { FakeClient } from "./test-fakes.js";

const ks = (resourceVersion: string, message: string): Kustomization => ({
  apiVersion: "kustomize.toolkit.fluxcd.io/v1",
  kind: "Kustomization",
  metadata: { name: "app", namespace: "ns", resourceVersion },
  spec: { interval: "10m", prune: true, sourceRef: { kind: "GitRepository", name: "repo" } },
  status: { conditions: [{ type: "Ready", status: "True", reason: "X", message, lastTransitionTime: "" }] },
});

/** A client whose API side counts reads and answers writes with resourceVersion "2". */
class CountingApi extends FakeClient {
  reads = 0;
  override getKustomizationUncached(key: {
    namespace: string;
    name: string;
  }): Promise<Kustomization | undefined> {
    this.reads++;
    return super.getKustomizationUncached(key);
  }
  override getSource(key: Parameters<FakeClient["getSource"]>[0]): Promise<SourceObject | undefined> {
    this.reads++;
    return super.getSource(key);
  }
  override async patchStatus(obj: Kustomization): Promise<string | undefined> {
    await super.patchStatus(obj);
    return "2";
  }
}

function setup(): {
  api: CountingApi;
  store: Store<Kustomization>;
  reads: FreshReads<Kustomization>;
  client: CachedKustomizationClient;
} {
  const api = new CountingApi();
  api.put(ks("2", "live"));
  const store = new Store<Kustomization>();
  store.set(ks("1", "cached"));
  const sources = new Store<SourceObject>();
  sources.set({
    apiVersion: "source.toolkit.fluxcd.io/v1",
    kind: "GitRepository",
    metadata: { name: "repo", namespace: "ns" },
  });
  const reads = new FreshReads(store);
  const client = new CachedKustomizationClient(api, {
    kustomizations: reads,
    sources: (kind) => (kind === "GitRepository" ? sources : undefined),
  });
  return { api, store, reads, client };
}

const key = { namespace: "ns", name: "app" };
const message = (k: Kustomization | undefined): string | undefined => k?.status?.conditions?.[0]?.message;

describe("CachedKustomizationClient", () => {
  it("reads the Kustomization and its source from the caches", async () => {
    const { api, client } = setup();
    expect(message(await client.getKustomization(key))).toBe("cached");
    expect(await client.getSource({ kind: "GitRepository", ...key, name: "repo" })).toBeDefined();
    expect(api.reads).toBe(0);
  });

  it("reads past the cache after its own write until the cache shows it", async () => {
    const { api, store, reads, client } = setup();
    await client.patchStatus(ks("1", "written"), {});
    expect(message(await client.getKustomization(key))).toBe("written");
    expect(api.reads).toBe(1);
    const old = store.set(ks("2", "cached after the write"));
    reads.handler.onUpdate?.(old as Kustomization, ks("2", "cached after the write"));
    expect(message(await client.getKustomization(key))).toBe("cached after the write");
    expect(api.reads).toBe(1);
  });

  it("reads a source its caches do not hold from the API server", async () => {
    const { api, client } = setup();
    api.sources.set("OCIRepository/ns/oci", {
      apiVersion: "source.toolkit.fluxcd.io/v1",
      kind: "OCIRepository",
      metadata: { name: "oci", namespace: "ns" },
    });
    expect(await client.getSource({ kind: "OCIRepository", namespace: "ns", name: "oci" })).toBeDefined();
    expect(
      await client.getSource({ kind: "GitRepository", namespace: "other", name: "repo" }),
    ).toBeUndefined();
    expect(api.reads).toBe(2);
  });
});
