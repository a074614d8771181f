/**
 * Staged server-side apply against the real API server (issue 6 items 2, 3 and 9): CRD +
 * Namespace first, then the custom resource and workloads; a second apply with nothing changed
 * sends no request at all (no dry-run, no resourceVersion change); kubectl edits, scales and
 * deletes are reported as drift and corrected by the next apply.
 */
import { afterAll, describe, expect, it } from "vitest";
import { ApplyManager, type DriftEvent, type RequestInfo } from "../../src/apply/cluster/index.js";
import type { KubeObject } from "../../src/apply/types.js";
import {
  eventually,
  kubectl,
  randomSuffix,
  readObject,
  testKubeConfig,
  useTestNamespace,
} from "../support/kube.js";

const ns = useTestNamespace("apply-staged");
const suffix = randomSuffix();
const group = `s${suffix}.mooring.test`;
const extraNs = `apply-extra-${suffix}`;
const owner = { name: "app", namespace: "flux-system" };

function objects(): KubeObject[] {
  const labels = { app: "web" };
  return [
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web", namespace: ns() },
      spec: {
        replicas: 1,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: { containers: [{ name: "web", image: "nginx:1.27", ports: [{ containerPort: 80 }] }] },
        },
      },
    },
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "web", namespace: ns() },
      spec: { selector: labels, ports: [{ port: 80, targetPort: 80 }] },
    },
    {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "web-config", namespace: ns() },
      data: { mode: "prod" },
    },
    {
      apiVersion: `${group}/v1`,
      kind: "Widget",
      metadata: { name: "w1", namespace: ns() },
      spec: { size: 3 },
    },
    { apiVersion: "v1", kind: "Namespace", metadata: { name: extraNs } },
    {
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "CustomResourceDefinition",
      metadata: { name: `widgets.${group}` },
      spec: {
        group,
        scope: "Namespaced",
        names: { plural: "widgets", singular: "widget", kind: "Widget", listKind: "WidgetList" },
        versions: [
          {
            name: "v1",
            served: true,
            storage: true,
            schema: { openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true } },
          },
        ],
      },
    },
  ];
}

const requests: RequestInfo[] = [];
const manager = new ApplyManager(testKubeConfig(), { onRequest: (r) => requests.push(r) });
const drift: DriftEvent[] = [];
manager.onDrift((e) => drift.push(e));

afterAll(async () => {
  await manager.close();
  await kubectl(["delete", "ns", extraNs, "--wait=false"]);
  await kubectl(["delete", "crd", `widgets.${group}`, "--wait=false"]);
});

async function resourceVersions(): Promise<string[]> {
  const out: string[] = [];
  for (const o of objects()) {
    const live = await readObject({
      apiVersion: o.apiVersion,
      kind: o.kind,
      name: o.metadata.name ?? "",
      namespace: o.metadata.namespace,
    });
    out.push(`${o.kind}=${live?.metadata?.resourceVersion ?? "absent"}`);
  }
  return out;
}

const counted = (from: number) => {
  const slice = requests.slice(from);
  return {
    total: slice.length,
    byVerb: slice.map((r) => r.verb).join(","),
    dryRuns: slice.filter((r) => r.dryRun).length,
    applies: slice.filter((r) => r.verb === "apply" && !r.dryRun).length,
    gets: slice.filter((r) => r.verb === "get").length,
  };
};

describe("staged apply", () => {
  it("applies CRD and Namespace first, then the custom resource and workloads", async () => {
    const result = await manager.applyAllStaged(objects(), { owner });
    expect(result.entries.map((e) => `${e.subject} ${e.action}`)).toEqual([
      `CustomResourceDefinition/widgets.${group} created`,
      `Namespace/${extraNs} created`,
      `ConfigMap/${ns()}/web-config created`,
      `Service/${ns()}/web created`,
      `Deployment/${ns()}/web created`,
      `Widget/${ns()}/w1 created`,
    ]);
    const cm = await readObject({ apiVersion: "v1", kind: "ConfigMap", name: "web-config", namespace: ns() });
    expect(cm?.metadata?.labels).toMatchObject({
      "kustomize.toolkit.fluxcd.io/name": "app",
      "kustomize.toolkit.fluxcd.io/namespace": "flux-system",
    });
    expect(cm?.metadata?.managedFields?.map((m) => `${m.manager}/${m.operation}`)).toEqual([
      "kustomize-controller/Apply",
    ]);
  });

  it("a second apply with nothing changed sends no dry-run and changes no resourceVersion", async () => {
    expect(await manager.whenSynced()).toBe(true);
    const before = await resourceVersions();
    const from = requests.length;
    const result = await manager.applyAllStaged(objects(), { owner });
    const figures = counted(from);
    console.log(
      `[apply-staged] no-op re-apply of ${objects().length} objects: ${JSON.stringify(figures)}, stats ${JSON.stringify(result.stats)}`,
    );
    expect(result.entries.every((e) => e.action === "unchanged")).toBe(true);
    expect(result.stats.cacheHits).toBe(objects().length);
    expect(figures.dryRuns).toBe(0);
    expect(figures.applies).toBe(0);
    expect(figures.gets).toBe(0);
    expect(figures.total).toBe(0);
    expect(await resourceVersions()).toEqual(before);
  });

  it("without the no-op cache it dry-runs every object, like Flux, and still writes nothing", async () => {
    const flux = new ApplyManager(testKubeConfig(), { noOpCache: false });
    const before = await resourceVersions();
    const result = await flux.applyAllStaged(objects(), { owner });
    await flux.close();
    expect(result.entries.every((e) => e.action === "unchanged")).toBe(true);
    expect(result.stats).toMatchObject({ cacheHits: 0, dryRuns: objects().length, applies: 0 });
    expect(await resourceVersions()).toEqual(before);
  });

  it("reports kubectl scale as drift and the next apply corrects it", async () => {
    drift.length = 0;
    const scaled = await kubectl(["-n", ns(), "scale", "deployment/web", "--replicas=3"]);
    expect(scaled.code, scaled.stderr).toBe(0);
    const event = await eventually("a drift event for the Deployment", async () =>
      drift.find((e) => e.object.kind === "Deployment" && e.kind === "modified"),
    );
    expect(event.owner).toEqual(owner);
    const result = await manager.applyAllStaged(objects(), { owner });
    expect(
      result.entries.filter((e) => e.action !== "unchanged").map((e) => `${e.subject} ${e.action}`),
    ).toEqual([`Deployment/${ns()}/web configured`]);
    const live = await readObject({
      apiVersion: "apps/v1",
      kind: "Deployment",
      name: "web",
      namespace: ns(),
    });
    expect((live as { spec?: { replicas?: number } }).spec?.replicas).toBe(1);
  });

  it("takes over a field edited with kubectl and reverts it", async () => {
    drift.length = 0;
    const patched = await kubectl([
      "-n",
      ns(),
      "patch",
      "configmap/web-config",
      "--type=merge",
      "-p",
      '{"data":{"mode":"hacked"}}',
    ]);
    expect(patched.code, patched.stderr).toBe(0);
    await eventually("a drift event for the ConfigMap", async () =>
      drift.find((e) => e.object.kind === "ConfigMap" && e.manager === "kubectl-patch"),
    );
    const result = await manager.applyAllStaged(objects(), { owner });
    expect(result.entries.find((e) => e.object.kind === "ConfigMap")?.action).toBe("configured");
    const cm = (await readObject({
      apiVersion: "v1",
      kind: "ConfigMap",
      name: "web-config",
      namespace: ns(),
    })) as KubeObject | undefined;
    expect(cm?.data).toEqual({ mode: "prod" });
    expect(cm?.metadata.managedFields?.map((m) => m.manager)).toEqual(["kustomize-controller"]);
  });

  it("reports a kubectl delete as drift and the next apply recreates the object", async () => {
    drift.length = 0;
    const deleted = await kubectl(["-n", ns(), "delete", "service/web"]);
    expect(deleted.code, deleted.stderr).toBe(0);
    await eventually("a drift event for the Service", async () =>
      drift.find((e) => e.object.kind === "Service" && e.kind === "deleted"),
    );
    const result = await manager.applyAllStaged(objects(), { owner });
    expect(result.entries.find((e) => e.object.kind === "Service")?.action).toBe("created");
    expect(result.entries.filter((e) => e.action === "unchanged")).toHaveLength(objects().length - 1);
  });

  it("does not report its own applies or status updates as drift", async () => {
    drift.length = 0;
    const status = await kubectl([
      "-n",
      ns(),
      "patch",
      "deployment/web",
      "--subresource=status",
      "--type=merge",
      "-p",
      '{"status":{"observedGeneration":1,"replicas":1}}',
    ]);
    expect(status.code, status.stderr).toBe(0);
    const changed = objects().map((o) => (o.kind === "ConfigMap" ? { ...o, data: { mode: "canary" } } : o));
    const result = await manager.applyAllStaged(changed, { owner });
    expect(result.entries.find((e) => e.object.kind === "ConfigMap")?.action).toBe("configured");
    // Once the watch has mirrored both writes, nothing needs a dry-run again.
    await eventually("a no-op apply decided from the cache alone", async () => {
      const again = await manager.applyAllStaged(changed, { owner });
      return again.stats.cacheHits === objects().length ? true : undefined;
    });
    expect(drift).toEqual([]);
  });
});

describe("a kind that disappears after discovery", () => {
  const gadgets = `g${suffix}.mooring.test`;
  const crd: KubeObject = {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: `gadgets.${gadgets}` },
    spec: {
      group: gadgets,
      scope: "Namespaced",
      names: { plural: "gadgets", singular: "gadget", kind: "Gadget", listKind: "GadgetList" },
      versions: [
        {
          name: "v1",
          served: true,
          storage: true,
          schema: { openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true } },
        },
      ],
    },
  };
  const gadget = (): KubeObject => ({
    apiVersion: `${gadgets}/v1`,
    kind: "Gadget",
    metadata: { name: "g1", namespace: ns() },
    spec: { size: 1 },
  });

  it("fails with kubectl's 'no matches for kind' once its CRD is deleted, not a bare 404", async () => {
    const created = await manager.applyAllStaged([crd, gadget()], { owner });
    expect(created.entries.map((e) => e.action)).toEqual(["created", "created"]);
    const deleted = await kubectl(["delete", "crd", `gadgets.${gadgets}`, "--wait=true"]);
    expect(deleted.code, deleted.stderr).toBe(0);
    await eventually("the API server no longer serves Gadget", async () => {
      const r = await kubectl(["get", `gadgets.${gadgets}`, "-n", ns()]);
      return r.code !== 0 ? true : undefined;
    });
    await expect(manager.applyAllStaged([gadget()], { owner })).rejects.toThrow(
      `no matches for kind "Gadget" in version "${gadgets}/v1"`,
    );
  });
});
