import { createHash } from "node:crypto";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import type { Receiver, ReceiverSpec } from "../api/receiver.js";
import type { EventRecord } from "../runtime/event-types.js";
import type { ObjectKey, ReconcileContext } from "../runtime/reconciler.js";
import { sanitizeMessage } from "../runtime/sanitize.js";
import { ReceiverReconciler, type ReceiverClient } from "./reconciler.js";

const key = { namespace: "apps", name: "hook" };
const now = new Date("2026-12-06T18:00:00Z");
const ctx: ReconcileContext = {
  log: pino({ level: "silent" }),
  signal: new AbortController().signal,
  reconcileID: "test",
  now: () => now,
};

class FakeClient implements ReceiverClient {
  patched: Receiver | undefined;
  finalizers: readonly string[] | undefined;
  events: EventRecord[] = [];
  constructor(
    public obj: Receiver | undefined,
    public secrets: Record<string, Record<string, string>> = {},
  ) {}
  get(): Promise<Receiver | undefined> {
    return Promise.resolve(this.obj);
  }
  readSecret(k: ObjectKey): Promise<Record<string, string> | undefined> {
    return Promise.resolve(this.secrets[`${k.namespace}/${k.name}`]);
  }
  patchStatus(obj: Receiver): Promise<void> {
    this.patched = obj;
    return Promise.resolve();
  }
  setFinalizers(_obj: Receiver, finalizers: readonly string[]): Promise<void> {
    this.finalizers = finalizers;
    return Promise.resolve();
  }
  emitEvent(_obj: Receiver, event: EventRecord): void {
    this.events.push(event);
  }
}

const receiver = (spec: Partial<ReceiverSpec> = {}, status: Receiver["status"] = {}): Receiver => ({
  apiVersion: "notification.toolkit.fluxcd.io/v1",
  kind: "Receiver",
  metadata: { ...key, generation: 2 },
  spec: {
    type: "github",
    secretRef: { name: "webhook-token" },
    resources: [{ kind: "GitRepository", name: "app" }],
    ...spec,
  },
  status,
});
const reconcile = (client: FakeClient): ReturnType<ReceiverReconciler["reconcile"]> =>
  new ReceiverReconciler(client, { noCrossNamespaceRefs: false, jitterPercent: 0 }).reconcile(key, ctx);
const ready = (obj: Receiver | undefined): unknown =>
  obj?.status?.conditions?.find((c) => c.type === "Ready");

describe("ReceiverReconciler", () => {
  it("publishes Flux's webhook path and Ready=True, and requeues at the interval", async () => {
    const client = new FakeClient(receiver({ interval: "5m" }), {
      "apps/webhook-token": { token: "tok-123" },
    });
    const result = await reconcile(client);
    const path = `/hook/${createHash("sha256").update("tok-123hookapps").digest("hex")}`;
    expect(client.patched?.status?.webhookPath).toBe(path);
    expect(ready(client.patched)).toMatchObject({
      status: "True",
      reason: "Succeeded",
      message: `Receiver initialized for path: ${path}`,
    });
    expect(client.patched?.status?.observedGeneration).toBe(2);
    expect(result).toEqual({ kind: "requeue-after", afterMs: 300_000 });
    expect(client.events).toEqual([
      { type: "Normal", reason: "Succeeded", message: `Receiver initialized for path: ${path}` },
    ]);
    // The token is registered as a secret value: no message can carry it.
    expect(sanitizeMessage("leaked tok-123")).not.toContain("tok-123");
  });

  it("a missing Secret: Ready=False TokenNotFound, no path served, retried with backoff", async () => {
    const client = new FakeClient(receiver({}, { webhookPath: "/hook/old" }));
    const result = await reconcile(client);
    expect(client.patched?.status?.webhookPath).toBeUndefined();
    expect(ready(client.patched)).toMatchObject({
      status: "False",
      reason: "TokenNotFound",
      message: "unable to read token from secret 'apps/webhook-token': secret not found",
    });
    expect(result.kind).toBe("backoff");
  });

  it.each([
    [{}, "required field 'token'"],
    [{ token: "" }, "'token' is empty"],
  ])("a Secret without a usable token (%o) is TokenNotFound", async (data, message) => {
    const client = new FakeClient(receiver(), { "apps/webhook-token": data });
    await reconcile(client);
    expect(ready(client.patched)).toMatchObject({ status: "False", reason: "TokenNotFound" });
    expect(JSON.stringify(ready(client.patched))).toContain(message);
  });

  it("a spec mooring cannot serve stalls without requeue", async () => {
    const client = new FakeClient(receiver({ type: "quay" }), { "apps/webhook-token": { token: "t0k3n" } });
    const result = await reconcile(client);
    const stalled = client.patched?.status?.conditions?.find((c) => c.type === "Stalled");
    expect(stalled).toMatchObject({ status: "True", reason: "UnsupportedField" });
    expect(ready(client.patched)).toMatchObject({ status: "False", reason: "UnsupportedField" });
    expect(result).toEqual({ kind: "done" });
  });

  it("suspended: nothing written", async () => {
    const client = new FakeClient(receiver({ suspend: true }));
    expect(await reconcile(client)).toEqual({ kind: "done" });
    expect(client.patched).toBeUndefined();
  });

  it("deleted with Flux's finalizer: the finalizer is dropped", async () => {
    const obj = receiver();
    obj.metadata.deletionTimestamp = now.toISOString();
    obj.metadata.finalizers = ["finalizers.fluxcd.io", "other"];
    const client = new FakeClient(obj);
    await reconcile(client);
    expect(client.finalizers).toEqual(["other"]);
  });
});
