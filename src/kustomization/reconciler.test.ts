import pino from "pino";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Artifact, Kustomization } from "../api/index.js";
import { entryFor } from "../apply/changeset.js";
import { ApplyError } from "../apply/cluster/errors.js";
import { kustomizationOptions } from "./options.js";
import { KustomizationReconciler } from "./reconciler.js";
import { ArtifactServer, FakeApply, FakeClient, testContext, testKustomization } from "./test-fakes.js";

const server = new ArtifactServer();
beforeAll(() => server.start());
afterAll(() => server.stop());

const cm = (name: string, extra = ""): string =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: apps\ndata:\n  k: v${extra}\n`;
const deploy =
  "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: apps\nspec:\n  replicas: 1\n";

const ks = testKustomization;

let client: FakeClient;
let apply: FakeApply;
let rec: KustomizationReconciler;

function setSource(artifact: Artifact | undefined, name = "repo", namespace = "flux"): void {
  client.sources.set(`GitRepository/${namespace}/${name}`, {
    apiVersion: "source.toolkit.fluxcd.io/v1",
    kind: "GitRepository",
    metadata: { name, namespace },
    status: artifact ? { artifact } : {},
  });
}

const reconcile = (name = "app") => rec.reconcile({ namespace: "flux", name }, testContext());
const cond = (name: string, type: string) =>
  client.get("flux", name).status?.conditions?.find((c) => c.type === type);

beforeEach(() => {
  client = new FakeClient();
  apply = new FakeApply();
  rec = new KustomizationReconciler({ client, apply, options: kustomizationOptions({ jitterPercent: 0 }) });
});

describe("KustomizationReconciler steps", () => {
  it("adds the finalizer and goes on in the same reconcile (no extra requeue)", async () => {
    setSource(await server.publish("r0", "main@sha1:0000", { "deploy/cm.yaml": cm("a") }));
    const obj = ks("app");
    obj.metadata.finalizers = [];
    client.put(obj);
    expect(await reconcile()).toEqual({ kind: "requeue-after", afterMs: 3_600_000 });
    expect(client.get("flux", "app").metadata.finalizers).toEqual(["finalizers.fluxcd.io"]);
    expect(cond("app", "Ready")?.status).toBe("True");
  });

  it("suspended: the request is recorded as handled in status, conditions stay, no requeue", async () => {
    const obj = ks("app");
    obj.spec.suspend = true;
    obj.metadata.annotations = { "reconcile.fluxcd.io/requestedAt": "r1" };
    client.put(obj);
    expect(await reconcile()).toEqual({ kind: "done" });
    expect(client.get("flux", "app").status?.lastHandledReconcileAt).toBe("r1");
    expect(apply.calls).toEqual([]);
    const patches = client.statusPatches;
    expect(await reconcile()).toEqual({ kind: "done" });
    expect(client.statusPatches).toBe(patches);
  });

  it("applies, records inventory and revisions, emits the change set; a second run is a silent no-op", async () => {
    setSource(
      await server.publish("r1", "main@sha1:1111", { "deploy/cm.yaml": cm("a"), "deploy/web.yaml": deploy }),
    );
    client.put(ks("app"));
    expect(await reconcile()).toEqual({ kind: "requeue-after", afterMs: 3_600_000 });
    const st = client.get("flux", "app").status;
    expect(cond("app", "Ready")).toMatchObject({
      status: "True",
      reason: "ReconciliationSucceeded",
      message: "Applied revision: main@sha1:1111",
    });
    expect(cond("app", "Reconciling")).toBeUndefined();
    expect(st?.lastAppliedRevision).toBe("main@sha1:1111");
    expect(st?.lastAttemptedRevision).toBe("main@sha1:1111");
    expect(st?.observedGeneration).toBe(1);
    expect(st?.inventory?.entries).toEqual([
      { id: "apps_a__ConfigMap", v: "v1" },
      { id: "apps_web_apps_Deployment", v: "v1" },
    ]);
    expect(client.events[0]).toMatchObject({
      type: "Normal",
      reason: "Progressing",
      message: "ConfigMap/apps/a created\nDeployment/apps/web created",
    });
    expect(client.events[1]?.message).toMatch(/^Reconciliation finished in .*, next run in 1h$/);
    client.events.length = 0;
    const lines: { msg: string; revision?: string }[] = [];
    const log = pino({ level: "info" }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    await rec.reconcile({ namespace: "flux", name: "app" }, { ...testContext(), log });
    expect(client.events).toEqual([]);
    expect(cond("app", "Ready")?.status).toBe("True");
    // A quiet success is still logged as kustomize-controller logs it, for `flux logs`.
    expect(lines).toContainEqual(
      expect.objectContaining({
        msg: expect.stringMatching(/^Reconciliation finished in .*, next run in 1h$/),
        revision: "main@sha1:1111",
      }),
    );
  });

  it("prunes what left the source, keeping objects whose delete failed", async () => {
    setSource(
      await server.publish("p1", "main@sha1:1", {
        "deploy/a.yaml": cm("a"),
        "deploy/b.yaml": cm("b"),
        "deploy/c.yaml": cm("c"),
      }),
    );
    client.put(ks("app"));
    await reconcile();
    setSource(await server.publish("p2", "main@sha1:2", { "deploy/a.yaml": cm("a") }));
    apply.failDeletes.add("c");
    await reconcile();
    expect(apply.calls).toContain("delete b,c");
    expect(cond("app", "Ready")).toMatchObject({ status: "False", reason: "PruneFailed" });
    expect(client.get("flux", "app").status?.inventory?.entries.map((e) => e.id)).toEqual([
      "apps_a__ConfigMap",
      "apps_c__ConfigMap",
    ]);
    expect(client.events.some((e) => e.message === "ConfigMap/apps/b deleted")).toBe(true);
    expect(client.get("flux", "app").status?.lastAppliedRevision).toBe("main@sha1:1");
  });

  it("does not prune when spec.prune is false", async () => {
    setSource(
      await server.publish("n1", "main@sha1:1", { "deploy/a.yaml": cm("a"), "deploy/b.yaml": cm("b") }),
    );
    client.put(ks("app", { prune: false }));
    await reconcile();
    setSource(await server.publish("n2", "main@sha1:2", { "deploy/a.yaml": cm("a") }));
    await reconcile();
    expect(apply.calls.some((c) => c.startsWith("delete"))).toBe(false);
    expect(cond("app", "Ready")?.status).toBe("True");
  });

  it("broken YAML: BuildFailed naming the file, nothing applied or pruned, lastAppliedRevision kept", async () => {
    setSource(await server.publish("b1", "main@sha1:1", { "deploy/a.yaml": cm("a") }));
    client.put(ks("app"));
    await reconcile();
    apply.calls.length = 0;
    setSource(
      await server.publish("b2", "main@sha1:2", { "deploy/a.yaml": cm("a"), "deploy/bad.yaml": "kind: [\n" }),
    );
    expect(await reconcile()).toEqual({ kind: "requeue-after", afterMs: 3_600_000 });
    expect(cond("app", "Ready")).toMatchObject({ status: "False", reason: "BuildFailed" });
    expect(cond("app", "Ready")?.message).toContain("deploy/bad.yaml");
    expect(cond("app", "Reconciling")?.reason).toBe("ProgressingWithRetry");
    expect(apply.calls).toEqual([]);
    const st = client.get("flux", "app").status;
    expect(st?.lastAppliedRevision).toBe("main@sha1:1");
    expect(st?.lastAttemptedRevision).toBe("main@sha1:2");
    expect(st?.inventory?.entries).toHaveLength(1);
  });

  it("apply failure: Ready has the first error, a count (issue 14) and the partial change set, as Flux; a Warning event lists every failure (issue 15)", async () => {
    setSource(await server.publish("af", "main@sha1:af", { "deploy/a.yaml": cm("a") }));
    client.put(ks("app"));
    const ns = { group: "", kind: "Namespace", namespace: "", name: "apps" };
    apply.applyError = new ApplyError(
      [
        "ConfigMap/apps/a dry-run failed (Invalid): bad a",
        "ConfigMap/apps/b dry-run failed (Invalid): bad b",
      ],
      [entryFor(ns, "v1", "created"), entryFor({ ...ns, name: "same" }, "v1", "unchanged")],
    );
    await reconcile();
    expect(cond("app", "Ready")).toMatchObject({
      status: "False",
      reason: "ReconciliationFailed",
      message: "ConfigMap/apps/a dry-run failed (Invalid): bad a (and 1 more error)\nNamespace/apps created",
    });
    expect(client.events).toContainEqual(
      expect.objectContaining({
        type: "Warning",
        reason: "ReconciliationFailed",
        message:
          "2 objects failed to apply:\nConfigMap/apps/a dry-run failed (Invalid): bad a\nConfigMap/apps/b dry-run failed (Invalid): bad b",
      }),
    );
    expect(client.events.filter((e) => e.message.includes("created") && e.type === "Normal")).toEqual([]);
  });

  it("retries at retryInterval after a failure", async () => {
    setSource(await server.publish("x1", "main@sha1:1", { "deploy/bad.yaml": "kind: [\n" }));
    client.put(ks("app", { retryInterval: "2m" }));
    expect(await reconcile()).toEqual({ kind: "requeue-after", afterMs: 120_000 });
  });

  it("source missing: ArtifactFailed, retry at retryInterval; no artifact: wait requeue-dependency; no events (as Flux)", async () => {
    client.put(ks("app"));
    expect(await reconcile()).toEqual({ kind: "requeue-after", afterMs: 3_600_000 });
    expect(cond("app", "Ready")).toMatchObject({
      reason: "ArtifactFailed",
      message: "Source 'GitRepository/flux/repo' not found",
    });
    setSource(undefined);
    expect(await reconcile()).toEqual({ kind: "requeue-after", afterMs: 30_000 });
    expect(cond("app", "Ready")).toMatchObject({
      reason: "ArtifactFailed",
      message: "Source artifact not found, retrying in 30s",
    });
    expect(client.events).toEqual([]);
  });

  it("artifact 404: ArtifactFailed and requeue-dependency", async () => {
    const a = await server.publish("gone", "main@sha1:1", {});
    setSource({ ...a, url: a.url.replace("gone", "missing") });
    client.put(ks("app"));
    expect(await reconcile()).toEqual({ kind: "requeue-after", afterMs: 30_000 });
    expect(cond("app", "Ready")?.message).toBe("Source is not ready, artifact not found");
  });

  it("missing path: ArtifactFailed 'kustomization path not found'", async () => {
    setSource(await server.publish("np", "main@sha1:1", { "other/a.yaml": cm("a") }));
    client.put(ks("app"));
    await reconcile();
    expect(cond("app", "Ready")).toMatchObject({ reason: "ArtifactFailed" });
    expect(cond("app", "Ready")?.message).toMatch(/^kustomization path not found/);
  });

  it("cross-namespace source under noCrossNamespaceRefs: Stalled AccessDenied, no requeue", async () => {
    rec = new KustomizationReconciler({
      client,
      apply,
      options: kustomizationOptions({ noCrossNamespaceRefs: true }),
    });
    client.put(ks("app", { sourceRef: { kind: "GitRepository", name: "repo", namespace: "other" } }));
    expect(await reconcile()).toEqual({ kind: "done" });
    expect(cond("app", "Stalled")).toMatchObject({ status: "True", reason: "AccessDenied" });
    expect(client.get("flux", "app").status?.observedGeneration).toBe(1);
  });

  it("dependsOn: waits with DependencyNotReady until the dependency applied the same revision", async () => {
    setSource(await server.publish("d1", "main@sha1:2", { "deploy/a.yaml": cm("a") }));
    const dep = ks("dep");
    dep.status = {
      observedGeneration: 1,
      lastAppliedRevision: "main@sha1:1",
      conditions: [
        {
          type: "Ready",
          status: "True",
          reason: "ReconciliationSucceeded",
          message: "",
          lastTransitionTime: "2026-01-01T00:00:00Z",
        },
      ],
    };
    client.put(dep);
    client.put(ks("app", { dependsOn: [{ name: "dep" }] }));
    expect(await reconcile()).toEqual({ kind: "requeue-after", afterMs: 30_000 });
    expect(cond("app", "Ready")).toMatchObject({ status: "False", reason: "DependencyNotReady" });
    expect(apply.calls).toEqual([]);
    client.get("flux", "dep").status!.lastAppliedRevision = "main@sha1:2";
    await reconcile();
    expect(cond("app", "Ready")?.status).toBe("True");
  });

  it("health: Healthy False and HealthCheckFailed naming the object, then Healthy True", async () => {
    setSource(await server.publish("h1", "main@sha1:1", { "deploy/web.yaml": deploy }));
    client.put(ks("app", { wait: true, timeout: "30s" }));
    apply.healthError = new Error("timeout waiting for: [Deployment/apps/web status: 'InProgress']");
    await reconcile();
    expect(apply.calls).toContain("health Deployment/web");
    expect(cond("app", "Healthy")).toMatchObject({ status: "False", reason: "HealthCheckFailed" });
    expect(cond("app", "Ready")).toMatchObject({ status: "False", reason: "HealthCheckFailed" });
    expect(cond("app", "Ready")?.message).toMatch(/^health check failed after .*Deployment\/apps\/web/);
    expect(client.get("flux", "app").status?.lastAppliedRevision).toBeUndefined();
    apply.healthError = undefined;
    await reconcile();
    expect(cond("app", "Healthy")).toMatchObject({ status: "True", reason: "Succeeded" });
    expect(cond("app", "Ready")?.status).toBe("True");
  });

  it("health checks fail fast unless the DisableFailFastBehavior gate turned it off (issue 15)", async () => {
    setSource(await server.publish("ff", "main@sha1:ff", { "deploy/web.yaml": deploy }));
    client.put(ks("app", { wait: true }));
    await reconcile();
    expect(apply.healthOptions.at(-1)?.failFast).toBe(true);
    const options = kustomizationOptions({ jitterPercent: 0, healthFailFast: false });
    rec = new KustomizationReconciler({ client, apply, options });
    client.put({ ...ks("app", { wait: true }), metadata: { ...ks("app").metadata, generation: 2 } });
    await reconcile();
    expect(apply.healthOptions.at(-1)?.failFast).toBe(false);
  });

  it("suspended: nothing happens", async () => {
    setSource(await server.publish("s1", "main@sha1:1", { "deploy/a.yaml": cm("a") }));
    client.put(ks("app", { suspend: true }));
    expect(await reconcile()).toEqual({ kind: "done" });
    expect(apply.calls).toEqual([]);
  });
});

describe("deletion", () => {
  async function appliedThenDeleted(spec: Partial<Kustomization["spec"]>): Promise<void> {
    setSource(await server.publish("del", "main@sha1:1", { "deploy/a.yaml": cm("a") }));
    client.put(ks("app", spec));
    await reconcile();
    const cur = client.get("flux", "app");
    cur.metadata.deletionTimestamp = new Date().toISOString();
    cur.spec = { ...cur.spec, ...spec };
    await reconcile();
  }

  it("with prune: deletes the inventory and releases the finalizer", async () => {
    await appliedThenDeleted({});
    expect(apply.calls).toContain("delete a");
    expect(client.kustomizations.has("flux/app")).toBe(false);
  });

  it("suspended: orphans the objects", async () => {
    await appliedThenDeleted({ suspend: false });
    client.put(ks("app2", { suspend: true }));
    expect(client.kustomizations.has("flux/app")).toBe(false);
    apply.calls.length = 0;
    const s = ks("s");
    s.spec.suspend = true;
    s.metadata.deletionTimestamp = new Date().toISOString();
    s.status = { inventory: { entries: [{ id: "apps_a__ConfigMap", v: "v1" }] } };
    client.put(s);
    await reconcile("s");
    expect(apply.calls).toEqual([]);
    expect(client.kustomizations.has("flux/s")).toBe(false);
  });

  it("deletionPolicy Orphan and prune false leave objects", async () => {
    await appliedThenDeleted({ deletionPolicy: "Orphan" });
    expect(apply.calls.some((c) => c.startsWith("delete"))).toBe(false);
  });
});
