/**
 * The pure apply logic (normalisation, drift decision, managedFields takeover, immutable-error
 * classification, kstatus) checked against what a real kube-apiserver returns. The requests are
 * made with client-node and kubectl directly: this file tests the decisions, not a client.
 */
import { KubernetesObjectApi, PatchStrategy, type KubernetesObject } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { hasDrifted } from "../../src/apply/drift.js";
import { computeStatus } from "../../src/apply/health/kstatus.js";
import { isImmutableError } from "../../src/apply/immutable.js";
import { prepareForApply } from "../../src/apply/normalize.js";
import { cleanupPatch, defaultCleanupOptions } from "../../src/apply/takeover.js";
import type { KubeObject } from "../../src/apply/types.js";
import { kubectl, testKubeConfig, useTestNamespace } from "../support/kube.js";

const FIELD_MANAGER = "kustomize-controller";
const ns = useTestNamespace("apply-logic");
const api = (): KubernetesObjectApi => KubernetesObjectApi.makeApiClient(testKubeConfig());

async function ssa(obj: KubeObject, dryRun: boolean): Promise<KubeObject> {
  const out = await api().patch(
    obj as KubernetesObject,
    undefined,
    dryRun ? "All" : undefined,
    FIELD_MANAGER,
    true,
    PatchStrategy.ServerSideApply,
  );
  return out as unknown as KubeObject;
}

async function live(obj: KubeObject): Promise<KubeObject> {
  return (await api().read({
    apiVersion: obj.apiVersion,
    kind: obj.kind,
    metadata: { name: obj.metadata.name ?? "", namespace: obj.metadata.namespace ?? "" },
  })) as unknown as KubeObject;
}

const prepare = (obj: KubeObject): KubeObject =>
  prepareForApply([obj], { owner: { name: "apps", namespace: "flux-system" } })[0]!;

function fixtures(namespace: string): KubeObject[] {
  const labels = { app: "web" };
  const podSpec = { containers: [{ name: "app", image: "nginx:1.27", ports: [{ containerPort: 8080 }] }] };
  return [
    { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "cfg", namespace }, data: { a: "1" } },
    {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "sec", namespace },
      stringData: { password: "s3cret" },
    },
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "web", namespace },
      spec: { selector: labels, ports: [{ port: 80, targetPort: 8080 }] },
    },
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web", namespace },
      spec: {
        replicas: 1,
        selector: { matchLabels: labels },
        template: { metadata: { labels }, spec: podSpec },
      },
    },
    {
      apiVersion: "batch/v1",
      kind: "CronJob",
      metadata: { name: "tick", namespace },
      spec: {
        schedule: "*/5 * * * *",
        jobTemplate: { spec: { template: { spec: { ...podSpec, restartPolicy: "Never" } } } },
      },
    },
  ];
}

describe("drift decision against the real API server", () => {
  // On Kubernetes 1.37 un-normalised objects do not drift either (dry-run and live are both
  // server-defaulted); normalisation is kept because Flux does it and older servers need it.
  it("sees no drift right after applying normalised objects (no needless re-apply)", async () => {
    for (const obj of fixtures(ns()).map(prepare)) {
      await ssa(obj, false);
      const dry = await ssa(obj, true);
      expect(hasDrifted(await live(obj), dry), `${obj.kind} drifted right after apply`).toBe(false);
    }
  });

  it("sees drift after a change to the desired object, and none after applying it", async () => {
    const cm = prepare({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "change", namespace: ns() },
      data: { a: "1" },
    });
    await ssa(cm, false);
    const changed = { ...cm, data: { a: "2" } };
    expect(hasDrifted(await live(cm), await ssa(changed, true))).toBe(true);
    await ssa(changed, false);
    expect(hasDrifted(await live(cm), await ssa(changed, true))).toBe(false);
  });

  it("reports a new object as drifted (dry-run of a create has no resourceVersion)", async () => {
    const cm = prepare({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "new", namespace: ns() },
      data: {},
    });
    const dry = await ssa(cm, true);
    expect(dry.metadata.resourceVersion ?? "").toBe("");
    expect(hasDrifted(undefined, dry)).toBe(true);
  });
});

describe("kubectl takeover against the real API server", () => {
  it("reverts a kubectl edit once the cleanup patch hands kubectl's fields to Flux", async () => {
    const cm = prepare({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "edited", namespace: ns() },
      data: { a: "1" },
    });
    await ssa(cm, false);
    const edit = await kubectl([
      "-n",
      ns(),
      "patch",
      "configmap",
      "edited",
      "--type=merge",
      "-p",
      '{"data":{"a":"hand","b":"extra"}}',
    ]);
    expect(edit.code, edit.stderr).toBe(0);

    const before = await live(cm);
    expect(before.metadata.managedFields?.some((m) => m.manager === "kubectl-patch")).toBe(true);
    const patch = cleanupPatch(cm, before, defaultCleanupOptions(FIELD_MANAGER));
    expect(patch.map((p) => p.path)).toEqual(["/metadata/managedFields"]);
    const sent = await kubectl([
      "-n",
      ns(),
      "patch",
      "configmap",
      "edited",
      "--type=json",
      "-p",
      JSON.stringify(patch),
    ]);
    expect(sent.code, sent.stderr).toBe(0);

    const dry = await ssa(cm, true);
    expect(hasDrifted(await live(cm), dry)).toBe(true);
    await ssa(cm, false);
    const after = await live(cm);
    expect(after.data).toEqual({ a: "1" });
    expect(after.metadata.managedFields?.map((m) => `${m.manager}/${m.operation}`)).toEqual([
      `${FIELD_MANAGER}/Apply`,
    ]);
  });

  it("removes kubectl's last-applied annotation from an object created with kubectl apply", async () => {
    const manifest = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: legacy\n  namespace: ${ns()}\ndata:\n  a: "1"\n`;
    const created = await kubectl(["apply", "-f", "-"], manifest);
    expect(created.code, created.stderr).toBe(0);
    const cm = prepare({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "legacy", namespace: ns() },
      data: { a: "1" },
    });
    const patch = cleanupPatch(cm, await live(cm), defaultCleanupOptions(FIELD_MANAGER));
    expect(patch.map((p) => p.op + " " + p.path)).toEqual([
      "remove /metadata/annotations/kubectl.kubernetes.io~1last-applied-configuration",
      "replace /metadata/managedFields",
    ]);
    const sent = await kubectl([
      "-n",
      ns(),
      "patch",
      "configmap",
      "legacy",
      "--type=json",
      "-p",
      JSON.stringify(patch),
    ]);
    expect(sent.code, sent.stderr).toBe(0);
    await ssa(cm, false);
    const after = await live(cm);
    expect(after.metadata.annotations ?? {}).not.toHaveProperty(
      "kubectl.kubernetes.io/last-applied-configuration",
    );
    expect(after.metadata.managedFields?.map((m) => `${m.manager}/${m.operation}`)).toEqual([
      `${FIELD_MANAGER}/Apply`,
    ]);
  });
});

describe("errors and status from the real API server", () => {
  it("classifies a changed Deployment selector (422 Invalid) as immutable", async () => {
    const [, , , deploy] = fixtures(ns());
    const d = prepare({ ...deploy!, metadata: { name: "immutable", namespace: ns() } });
    await ssa(d, false);
    const spec = d.spec as Record<string, any>;
    const changed = {
      ...d,
      spec: {
        ...spec,
        selector: { matchLabels: { app: "other" } },
        template: { ...spec.template, metadata: { labels: { app: "other" } } },
      },
    };
    const err = await ssa(changed, true).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeDefined();
    expect(isImmutableError(err)).toBe(true);
  });

  it("does not classify a missing namespace (404) as immutable", async () => {
    const cm = prepare({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "x", namespace: "does-not-exist-ns" },
      data: {},
    });
    const err = await ssa(cm, true).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeDefined();
    expect(isImmutableError(err)).toBe(false);
  });

  it("computes kstatus for live objects: Namespace, ConfigMap and an established CRD Current, a Deployment without a kubelet InProgress", async () => {
    const now = Date.now();
    const nsObj = (await api().read({
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name: ns() },
    })) as unknown as KubeObject;
    expect(computeStatus(nsObj, { now }).status).toBe("Current");
    const [cfg, , , deploy] = fixtures(ns());
    expect(computeStatus(await live(cfg!), { now }).status).toBe("Current");
    expect(computeStatus(await live(deploy!), { now }).status).toBe("InProgress");
    const crd = (await api().read({
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "CustomResourceDefinition",
      metadata: { name: "kustomizations.kustomize.toolkit.fluxcd.io" },
    })) as unknown as KubeObject;
    expect(computeStatus(crd, { now })).toEqual({ status: "Current", message: "CRD is established" });
  });
});
