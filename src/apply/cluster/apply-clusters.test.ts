import { KubeConfig } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import type { ApplyManager } from "./apply-manager.js";
import { ApplyClusters } from "./apply-clusters.js";
import type { DriftEvent, DriftListener, OwnerRef } from "./types.js";

/** A manager stand-in that records forget/close and lets the test fire drift. */
class StubManager {
  readonly forgotten: string[] = [];
  closed = false;
  private listener: DriftListener | undefined;
  onDrift(l: DriftListener): () => void {
    this.listener = l;
    return () => (this.listener = undefined);
  }
  forget(o: OwnerRef): void {
    this.forgotten.push(`${o.namespace}/${o.name}`);
  }
  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
  drift(owner: OwnerRef): void {
    this.listener?.({ owner, kind: "deleted" } as DriftEvent);
  }
}

function setup(): { clusters: ApplyClusters; local: StubManager; made: StubManager[] } {
  const local = new StubManager();
  const made: StubManager[] = [];
  const clusters = new ApplyClusters(local as unknown as ApplyManager, () => {
    const m = new StubManager();
    made.push(m);
    return m as unknown as ApplyManager;
  });
  return { clusters, local, made };
}

const a = { namespace: "t", name: "a" };
const b = { namespace: "t", name: "b" };
const target = (key: string) => ({ key, kubeConfig: new KubeConfig() });

describe("ApplyClusters (issue 15: one client set per remote kubeconfig)", () => {
  it("gives the local manager without a target and never for one", () => {
    const { clusters, local } = setup();
    expect(clusters.select(a, undefined)).toBe(local);
    expect(clusters.select(a, target("k1"))).not.toBe(local);
  });

  it("shares one manager per kubeconfig content and closes it when its last user leaves", () => {
    const { clusters, made } = setup();
    const m1 = clusters.select(a, target("k1"));
    expect(clusters.select(b, target("k1"))).toBe(m1);
    expect(made).toHaveLength(1);
    clusters.forget(a);
    expect(made[0]?.closed).toBe(false);
    clusters.select(b, target("k2")); // b moves to another cluster
    expect(made[0]?.closed).toBe(true);
    expect(made[0]?.forgotten).toEqual(["t/a", "t/b"]);
    expect(clusters.remoteCount).toBe(1);
    clusters.select(b, undefined); // and back to the local cluster
    expect(made[1]?.closed).toBe(true);
    expect(clusters.remoteCount).toBe(0);
  });

  it("forwards drift from the local and every remote cluster", () => {
    const { clusters, local, made } = setup();
    const seen: string[] = [];
    clusters.onDrift((e) => seen.push(e.owner.name));
    clusters.select(b, target("k1"));
    local.drift(a);
    made[0]?.drift(b);
    expect(seen).toEqual(["a", "b"]);
  });

  it("close() closes the local and the remote managers", async () => {
    const { clusters, local, made } = setup();
    clusters.select(a, target("k1"));
    await clusters.close();
    expect(local.closed).toBe(true);
    expect(made[0]?.closed).toBe(true);
  });
});
