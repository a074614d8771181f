import { describe, expect, it } from "vitest";
import { eventually } from "../../../test/support/eventually.js";
import type { KubeObject } from "../types.js";
import { KubeHttp } from "./http.js";
import { OwnedObjects } from "./owned-objects.js";
import type { DriftEvent } from "./types.js";

/** A fake API server for one collection: a list, then watch events pushed by the test. */
class FakeHttp {
  items: KubeObject[] = [];
  /** True while the consumer waits for the next event: everything pushed so far was handled. */
  idle = false;
  private queue: unknown[] = [];
  private wake: (() => void) | undefined;

  request(): Promise<unknown> {
    return Promise.resolve({ items: this.items, metadata: { resourceVersion: "1" } });
  }

  async *stream(): AsyncGenerator<unknown> {
    for (;;) {
      while (this.queue.length > 0) yield this.queue.shift();
      this.idle = true;
      await new Promise<void>((r) => (this.wake = r));
    }
  }

  /** The real client's list/watch source, over this fake's request and stream. */
  listWatcher(...args: Parameters<KubeHttp["listWatcher"]>): ReturnType<KubeHttp["listWatcher"]> {
    return KubeHttp.prototype.listWatcher.apply(this as unknown as KubeHttp, args);
  }

  push(type: string, object: KubeObject): void {
    this.idle = false;
    this.queue.push({ type, object });
    this.wake?.();
  }
}

const FM = "kustomize-controller";
const owner = { name: "app", namespace: "flux-system" };
/** Waits until the owned-objects cache handled every event pushed (and the list before them). */
const settleEvents = (http: FakeHttp): Promise<true> =>
  eventually("the fake watch's events handled", async () => (http.idle ? true : undefined), undefined, {
    intervalMs: 1,
    timeoutMs: 5000,
  });

function cm(rv: string, opts: { data?: string; manager?: string; status?: boolean } = {}): KubeObject {
  const ours = { manager: FM, operation: "Apply", fieldsV1: { "f:data": { "f:k": {} } } };
  const theirs = { manager: opts.manager ?? "", operation: "Update", fieldsV1: { "f:data": { "f:k": {} } } };
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: {
      name: "c",
      namespace: "n",
      uid: "u1",
      resourceVersion: rv,
      labels: {
        "kustomize.toolkit.fluxcd.io/name": "app",
        "kustomize.toolkit.fluxcd.io/namespace": "flux-system",
      },
      managedFields: opts.manager
        ? [{ ...ours, fieldsV1: { "f:data": {} } }, theirs]
        : [ours, ...(opts.status ? [{ manager: "x", operation: "Update", subresource: "status" }] : [])],
    },
    data: { k: opts.data ?? "v" },
  };
}

async function setup() {
  const http = new FakeHttp();
  const owned = new OwnedObjects(http as unknown as KubeHttp, FM);
  const drift: DriftEvent[] = [];
  owned.onDrift((e) => drift.push(e));
  http.items = [cm("5")];
  owned.watch(
    { apiVersion: "v1", kind: "ConfigMap", resource: "configmaps", namespaced: true },
    "/api/v1/configmaps",
  );
  await settleEvents(http);
  owned.settle(owner, cm("5"), "h1");
  return { http, owned, drift };
}

describe("OwnedObjects", () => {
  it("skips only with the same rendered hash and an unchanged mirror", async () => {
    const { owned } = await setup();
    expect(owned.canSkip(owner, cm("5"), "h1")).toBe(true);
    expect(owned.canSkip(owner, cm("5"), "h2")).toBe(false);
    expect(owned.canSkip({ name: "other", namespace: "flux-system" }, cm("5"), "h1")).toBe(false);
    owned.close();
    expect(owned.canSkip(owner, cm("5"), "h1")).toBe(false);
  });

  it("treats a status-only update as neither drift nor a reason to dry-run", async () => {
    const { http, owned, drift } = await setup();
    http.push("MODIFIED", { ...cm("6", { status: true }), status: { x: 1 } });
    await settleEvents(http);
    expect(drift).toEqual([]);
    expect(owned.canSkip(owner, cm("5"), "h1")).toBe(true);
    owned.close();
  });

  it("reports a change that takes our fields away, naming the manager, and stops skipping", async () => {
    const { http, owned, drift } = await setup();
    http.push("MODIFIED", cm("7", { data: "hacked", manager: "kubectl-edit" }));
    await settleEvents(http);
    expect(drift).toEqual([
      {
        owner,
        object: { group: "", version: "v1", kind: "ConfigMap", namespace: "n", name: "c" },
        kind: "modified",
        manager: "kubectl-edit",
      },
    ]);
    expect(owned.canSkip(owner, cm("5"), "h1")).toBe(false);
    owned.close();
  });

  it("reports tampering with the owner labels as drift of the Kustomization that applied it (issue 17)", async () => {
    const { http, owned, drift } = await setup();
    const relabelled = cm("11", { manager: "kubectl-label" });
    relabelled.metadata.labels = { "kustomize.toolkit.fluxcd.io/name": "someone-else" };
    http.push("MODIFIED", relabelled);
    await settleEvents(http);
    // The label removed altogether: the watch's selector drops the object, reported as a delete.
    const unlabelled = cm("12", { manager: "kubectl-label" });
    delete unlabelled.metadata.labels;
    http.push("DELETED", unlabelled);
    await settleEvents(http);
    expect(drift.map((d) => `${d.owner.namespace}/${d.owner.name} ${d.kind}`)).toEqual([
      "flux-system/app modified",
      "flux-system/app deleted",
    ]);
    expect(owned.canSkip(owner, cm("5"), "h1")).toBe(false);
    owned.close();
  });

  it("reports a delete", async () => {
    const { http, owned, drift } = await setup();
    http.push("DELETED", cm("8"));
    await settleEvents(http);
    expect(drift.map((d) => d.kind)).toEqual(["deleted"]);
    owned.close();
  });

  it("does not report its own write seen before the apply returned, but does report a later change", async () => {
    const { http, owned, drift } = await setup();
    owned.begin(cm("5"));
    http.push("MODIFIED", cm("9", { data: "new" }));
    await settleEvents(http);
    expect(owned.canSkip(owner, cm("5"), "h1")).toBe(false);
    http.push("MODIFIED", cm("10", { data: "hacked", manager: "kubectl-edit" }));
    await settleEvents(http);
    expect(drift).toEqual([]);
    owned.settle(owner, cm("9", { data: "new" }), "h2");
    expect(drift.map((d) => `${d.kind} ${d.manager}`)).toEqual(["modified kubectl-edit"]);
    owned.close();
  });

  it("drops events older than its own write", async () => {
    const { http, owned, drift } = await setup();
    owned.begin(cm("5"));
    http.push("MODIFIED", cm("11", { data: "hacked", manager: "kubectl-edit" }));
    await settleEvents(http);
    owned.settle(owner, cm("12", { data: "new" }), "h2");
    expect(drift).toEqual([]);
    owned.close();
  });
});
