/**
 * Immutable fields and force, per-object annotations, prune and impersonation against the real
 * API server (issue 6 items 2, 5 and 7).
 */
import { afterAll, describe, expect, it } from "vitest";
import {
  ApplyError,
  ApplyManager,
  serviceAccountUser,
  type ObjectRef,
} from "../../src/apply/cluster/index.js";
import type { KubeObject } from "../../src/apply/types.js";
import { kubectl, readObject, testKubeConfig, useTestNamespace } from "../support/kube.js";

const ns = useTestNamespace("apply-force");
const owner = { name: "infra", namespace: "flux-system" };
const manager = new ApplyManager(testKubeConfig());
afterAll(() => manager.close());

function deployment(app: string, annotations?: Record<string, string>): KubeObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "api", namespace: ns(), ...(annotations && { annotations }) },
    spec: {
      selector: { matchLabels: { app } },
      template: { metadata: { labels: { app } }, spec: { containers: [{ name: "api", image: "busybox" }] } },
    },
  };
}

function configMap(name: string, annotations?: Record<string, string>): KubeObject {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name, namespace: ns(), ...(annotations && { annotations }) },
    data: { k: name },
  };
}

const ref = (name: string): ObjectRef => ({
  group: "",
  version: "v1",
  kind: "ConfigMap",
  namespace: ns(),
  name,
});
const uidOf = async (kind: string, apiVersion: string, name: string) =>
  (await readObject({ apiVersion, kind, name, namespace: ns() }))?.metadata?.uid;

describe("immutable fields", () => {
  it("fails with a hint about spec.force and the force annotation", async () => {
    await manager.applyAllStaged([deployment("v1")], { owner });
    const err = await manager.applyAllStaged([deployment("v2")], { owner }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    const message = (err as Error).message;
    expect(message).toContain(`Deployment/${ns()}/api dry-run failed (Invalid): `);
    expect(message).toContain("field is immutable");
    expect(message).toContain("spec.force: true");
    expect(message).toContain("kustomize.toolkit.fluxcd.io/force: enabled");
  });

  it("recreates the object with spec.force (new uid)", async () => {
    const before = await uidOf("Deployment", "apps/v1", "api");
    const result = await manager.applyAllStaged([deployment("v2")], { owner, force: true });
    expect(result.entries.map((e) => e.action)).toEqual(["created"]);
    expect(result.stats.recreated).toBe(1);
    const after = await uidOf("Deployment", "apps/v1", "api");
    expect(after).toBeDefined();
    expect(after).not.toBe(before);
  });

  it("recreates the object with the force annotation", async () => {
    const before = await uidOf("Deployment", "apps/v1", "api");
    const forced = deployment("v3", { "kustomize.toolkit.fluxcd.io/force": "Enabled" });
    const result = await manager.applyAllStaged([forced], { owner });
    expect(result.entries.map((e) => e.action)).toEqual(["created"]);
    expect(await uidOf("Deployment", "apps/v1", "api")).not.toBe(before);
  });
});

describe("stage semantics", () => {
  it("applies nothing in a stage when one object's dry-run fails", async () => {
    const err = await manager
      .applyAllStaged([configMap("atomic-ok"), configMap("Bad_Name")], { owner })
      .catch((e: unknown) => e);
    expect((err as Error).message).toMatch(
      new RegExp(`^ConfigMap/${ns()}/Bad_Name dry-run failed \\(Invalid\\): `),
    );
    expect(await uidOf("ConfigMap", "v1", "atomic-ok")).toBeUndefined();
  });

  it("reports the first failing object as Flux does; every failure stays on the error (issue 15)", async () => {
    const err = await manager
      .applyAllStaged([configMap("A_Bad"), configMap("B_Bad")], { owner })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApplyError);
    const message = (err as ApplyError).message;
    expect(message).toMatch(new RegExp(`^ConfigMap/${ns()}/A_Bad dry-run failed \\(Invalid\\): `));
    expect(message).not.toContain("B_Bad");
    expect((err as ApplyError).failures).toHaveLength(2);
    expect((err as ApplyError).failures[1]).toContain(`ConfigMap/${ns()}/B_Bad dry-run failed (Invalid)`);
  });
});

describe("per-object annotations", () => {
  it("skips reconcile: disabled and ssa: Ignore, creates ssa: IfNotPresent once", async () => {
    const objs = [
      configMap("disabled", { "kustomize.toolkit.fluxcd.io/reconcile": "disabled" }),
      configMap("ignored", { "kustomize.toolkit.fluxcd.io/ssa": "Ignore" }),
      configMap("once", { "kustomize.toolkit.fluxcd.io/ssa": "IfNotPresent" }),
    ];
    const first = await manager.applyAllStaged(objs, { owner });
    expect(first.entries.map((e) => `${e.object.name} ${e.action}`)).toEqual([
      "disabled skipped",
      "ignored skipped",
      "once created",
    ]);
    expect(
      await readObject({ apiVersion: "v1", kind: "ConfigMap", name: "disabled", namespace: ns() }),
    ).toBeUndefined();
    const changed = objs.map((o) => ({ ...o, data: { k: "changed" } }));
    const second = await manager.applyAllStaged(changed, { owner });
    expect(second.entries.map((e) => `${e.object.name} ${e.action}`)).toContain("once skipped");
    const once = (await readObject({
      apiVersion: "v1",
      kind: "ConfigMap",
      name: "once",
      namespace: ns(),
    })) as KubeObject;
    expect(once.data).toEqual({ k: "once" });
  });

  it("keeps other managers' fields with ssa: Merge", async () => {
    await manager.applyAllStaged([configMap("merged", { "kustomize.toolkit.fluxcd.io/ssa": "Merge" })], {
      owner,
    });
    const edit = await kubectl([
      "-n",
      ns(),
      "patch",
      "configmap/merged",
      "--type=merge",
      "-p",
      '{"data":{"extra":"x"}}',
    ]);
    expect(edit.code, edit.stderr).toBe(0);
    await manager.applyAllStaged([configMap("merged", { "kustomize.toolkit.fluxcd.io/ssa": "Merge" })], {
      owner,
    });
    const live = (await readObject({
      apiVersion: "v1",
      kind: "ConfigMap",
      name: "merged",
      namespace: ns(),
    })) as KubeObject;
    expect(live.data).toEqual({ k: "merged", extra: "x" });
  });
});

describe("spec.ignore", () => {
  it("leaves an ignored path alone, also when the object is applied for another change", async () => {
    const ignorePaths = () => ["/data/k"];
    await manager.applyAllStaged([configMap("ignored-path")], { owner, ignorePaths });
    const edit = await kubectl([
      "-n",
      ns(),
      "patch",
      "configmap/ignored-path",
      "--type=merge",
      "-p",
      '{"data":{"k":"mine"}}',
    ]);
    expect(edit.code, edit.stderr).toBe(0);
    // Like Flux: the first apply takes kubectl's fields over (configured) but keeps the value.
    const takeover = await manager.applyAllStaged([configMap("ignored-path")], { owner, ignorePaths });
    expect(takeover.entries.map((e) => e.action)).toEqual(["configured"]);
    const same = await manager.applyAllStaged([configMap("ignored-path")], { owner, ignorePaths });
    expect(same.entries.map((e) => e.action)).toEqual(["unchanged"]);
    const changed = { ...configMap("ignored-path"), data: { k: "ignored-path", other: "new" } };
    const again = await manager.applyAllStaged([changed], { owner, ignorePaths });
    expect(again.entries.map((e) => e.action)).toEqual(["configured"]);
    const live = (await readObject({
      apiVersion: "v1",
      kind: "ConfigMap",
      name: "ignored-path",
      namespace: ns(),
    })) as KubeObject;
    expect(live.data).toEqual({ k: "mine", other: "new" });
  });
});

describe("prune", () => {
  it("deletes only objects still labelled as ours and not prune-disabled; NotFound counts as deleted", async () => {
    await manager.applyAllStaged(
      [configMap("stale-a"), configMap("stale-keep", { "kustomize.toolkit.fluxcd.io/prune": "disabled" })],
      { owner },
    );
    await manager.applyAllStaged([configMap("stale-other")], {
      owner: { name: "other", namespace: "flux-system" },
    });
    const result = await manager.deleteStale(
      [ref("stale-a"), ref("stale-keep"), ref("stale-other"), ref("never-existed")],
      { owner },
    );
    expect(result.failed).toEqual([]);
    expect(Object.fromEntries(result.entries.map((e) => [e.object.name, e.action]))).toEqual({
      "stale-a": "deleted",
      "stale-keep": "skipped",
      "stale-other": "skipped",
      "never-existed": "deleted",
    });
    const gone = await readObject({ apiVersion: "v1", kind: "ConfigMap", name: "stale-a", namespace: ns() });
    expect(gone === undefined || gone.metadata?.deletionTimestamp !== undefined).toBe(true);
    expect(await uidOf("ConfigMap", "v1", "stale-keep")).toBeDefined();
    expect(await uidOf("ConfigMap", "v1", "stale-other")).toBeDefined();
  });

  it("deletes in reverse apply order and reports failures for the inventory", async () => {
    await manager.applyAllStaged([configMap("order-cm"), deployment("order")], { owner });
    const objects: ObjectRef[] = [
      ref("order-cm"),
      { group: "apps", version: "v1", kind: "Deployment", namespace: ns(), name: "api" },
      { group: "nope.example.com", version: "v1", kind: "Gadget", namespace: ns(), name: "g" },
    ];
    const result = await manager.deleteStale(objects, {
      owner,
      impersonate: serviceAccountUser(ns(), "ghost"),
    });
    // The impersonated user has no rights: every existing object fails, in reverse apply order.
    expect(result.failed.map((f) => f.object.kind)).toEqual(["Deployment", "ConfigMap"]);
    expect(result.failed[0]?.error).toContain("forbidden");
    const ok = await manager.deleteStale(objects, { owner });
    expect(ok.entries.map((e) => `${e.object.kind} ${e.action}`)).toEqual([
      "Gadget deleted",
      "Deployment deleted",
      "ConfigMap deleted",
    ]);
  });
});

describe("impersonation", () => {
  it("a ServiceAccount without rights gets a clear forbidden error", async () => {
    expect((await kubectl(["-n", ns(), "create", "serviceaccount", "nobody"])).code).toBe(0);
    const err = await manager
      .applyAllStaged([configMap("as-nobody")], { owner, impersonate: serviceAccountUser(ns(), "nobody") })
      .catch((e: unknown) => e);
    const message = (err as Error).message;
    // Flux's words (issue 15): the failed GET is not reported, the dry-run's error is.
    expect(message).toMatch(new RegExp(`^ConfigMap/${ns()}/as-nobody dry-run failed \\(Forbidden\\): `));
    expect(message).toContain(
      `User "system:serviceaccount:${ns()}:nobody" cannot patch resource "configmaps"`,
    );
    expect(message).not.toContain("get failed");
  });

  it("a ServiceAccount bound to edit in the namespace can apply", async () => {
    expect((await kubectl(["-n", ns(), "create", "serviceaccount", "deployer"])).code).toBe(0);
    const bind = await kubectl([
      "-n",
      ns(),
      "create",
      "rolebinding",
      "deployer-edit",
      "--clusterrole=edit",
      `--serviceaccount=${ns()}:deployer`,
    ]);
    expect(bind.code, bind.stderr).toBe(0);
    const result = await manager.applyAllStaged([configMap("as-deployer")], {
      owner,
      impersonate: serviceAccountUser(ns(), "deployer"),
    });
    expect(result.entries.map((e) => e.action)).toEqual(["created"]);
  });
});
