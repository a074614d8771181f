/**
 * Issue 6 acceptance for the Kustomization controller, end to end: real control plane, real git
 * server, the controller (watches, queue, reconciler, ApplyManager) running in-process.
 *
 * The GitRepository controller (src/source) runs in-process too, limited to this file's
 * GitRepositories by a label selector; `publish()` asks it for the new commit.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { ApplyManager, type RequestInfo } from "../../src/apply/cluster/index.js";
import { localClusters } from "../support/local-clusters.js";
import { startGitServer, type GitRepo, type GitServer } from "../../src/dev/git-server/index.js";
import { apiEventSink } from "../../src/runtime/event-sink.js";
import { EventRecorder } from "../../src/runtime/events.js";
import { ApiKustomizationClient } from "../../src/kustomization/cluster-client.js";
import {
  startKustomizationController,
  type RunningKustomizationController,
} from "../support/kustomization-controller.js";
import { kustomizationOptions } from "../../src/kustomization/options.js";
import {
  availableDeploymentStatus,
  conditionOf,
  eventually,
  kubectlOk,
  randomSuffix,
  readObject,
  testKubeConfig,
  useTestNamespace,
  waitForCondition,
  waitForObject,
} from "../support/kube.js";
import { startSourceController, type SourceHarness } from "../../src/source/testing.js";

const ns = useTestNamespace("ks-ctrl");
const suffix = randomSuffix();
const group = `ks${suffix}.mooring.test`;
const extraNs = `ks-extra-${suffix}`;

let git: GitServer;
let source: SourceHarness;
/** This file's GitRepositories carry this label value; its source controller watches only them. */
const SHARD_LABEL = "mooring.test/shard";
const shard = `ks-ctrl-${suffix}`;
let apply: ApplyManager;
let controller: RunningKustomizationController;
let recorder: EventRecorder;
const requests: RequestInfo[] = [];

const KS = { apiVersion: "kustomize.toolkit.fluxcd.io/v1", kind: "Kustomization" };
const GR = { apiVersion: "source.toolkit.fluxcd.io/v1", kind: "GitRepository" };

/**
 * A pushed commit reaches the Kustomization through the real source controller: request a
 * reconcile of GitRepository `name` and wait until its artifact is the head of `main`.
 */
async function publish(repo: GitRepo, name: string): Promise<string> {
  const revision = `main@sha1:${await repo.revParse("main")}`;
  await kubectlOk([
    "annotate",
    "--overwrite",
    "gitrepository",
    name,
    "-n",
    ns(),
    `reconcile.fluxcd.io/requestedAt=${Date.now()}`,
  ]);
  await waitForObject(
    { ...GR, name, namespace: ns() },
    (o) => (o as { status?: { artifact?: { revision?: string } } }).status?.artifact?.revision === revision,
    { timeoutMs: 60_000 },
  );
  return revision;
}

async function createSource(repo: GitRepo, name: string): Promise<string> {
  await kubectlOk(
    ["apply", "-f", "-"],
    stringify({
      ...GR,
      metadata: { name, namespace: ns(), labels: { [SHARD_LABEL]: shard } },
      spec: { url: repo.url, interval: "1h", ref: { branch: "main" } },
    }),
  );
  return publish(repo, name);
}

async function createKs(name: string, spec: Record<string, unknown>): Promise<void> {
  await kubectlOk(
    ["apply", "-f", "-"],
    stringify({
      ...KS,
      metadata: { name, namespace: ns(), labels: { [SHARD_LABEL]: shard } },
      spec: { interval: "1h", prune: true, ...spec },
    }),
  );
}

const ks = async (name: string): Promise<any> => readObject({ ...KS, name, namespace: ns() });
const ready = (name: string, status: "True" | "False" | "Unknown", reason?: string) =>
  waitForCondition({ ...KS, name, namespace: ns() }, "Ready", status, reason === undefined ? {} : { reason });

/** kstatus rules every Kustomization read must satisfy (conventions.md). */
function assertKstatus(obj: any): void {
  const readyCond = conditionOf(obj, "Ready");
  if (readyCond?.status === "True") {
    expect(conditionOf(obj, "Reconciling")).toBeUndefined();
    expect(conditionOf(obj, "Stalled")).toBeUndefined();
    expect(obj.status.observedGeneration).toBe(obj.metadata.generation);
  }
}

const cm = (name: string, extra: Record<string, string> = {}) =>
  stringify({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name, namespace: ns(), ...extra },
    data: { k: "v" },
  });
const deployment = (name: string, replicas = 1) =>
  stringify({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace: ns() },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: "web", image: "nginx:1.27" }] },
      },
    },
  });

beforeAll(async () => {
  git = await startGitServer();
  const kc = testKubeConfig();
  source = await startSourceController(kc, { labelSelector: `${SHARD_LABEL}=${shard}` });
  recorder = new EventRecorder({ sink: apiEventSink(kc), component: "kustomize-controller" });
  apply = new ApplyManager(kc, { onRequest: (info) => requests.push(info) });
  const client = new ApiKustomizationClient(kc, (obj, e) => recorder.record(obj, e));
  const options = kustomizationOptions({
    artifact: { ...kustomizationOptions().artifact, retryMinWaitMs: 100 },
    driftRequeueMinIntervalMs: 1_000,
  });
  const clusters = localClusters(apply);
  // Sharded like the source controller: other files run their own Kustomization controllers.
  const labelSelector = `${SHARD_LABEL}=${shard}`;
  controller = startKustomizationController({
    kubeConfig: kc,
    client,
    apply: clusters,
    options,
    labelSelector,
  });
});

afterAll(async () => {
  await controller?.stop();
  await apply?.close();
  await recorder?.flush();
  await source?.stop();
  await git?.stop();
});

describe("Kustomization controller (issue 6)", () => {
  let repo: GitRepo;
  let revision = "";

  it("applies Namespace, CRD and CR, Deployment, Service and a configMapGenerator: Ready, inventory, revision", async () => {
    repo = await git.createRepo(`app-${suffix}`);
    await repo.commit({
      files: {
        "deploy/namespace.yaml": stringify({
          apiVersion: "v1",
          kind: "Namespace",
          metadata: { name: extraNs },
        }),
        "deploy/crd.yaml": stringify({
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
        }),
        "deploy/widget.yaml": stringify({
          apiVersion: `${group}/v1`,
          kind: "Widget",
          metadata: { name: "w1", namespace: ns() },
          spec: { size: 3 },
        }),
        "deploy/web.yaml": deployment("web"),
        "deploy/service.yaml": stringify({
          apiVersion: "v1",
          kind: "Service",
          metadata: { name: "web", namespace: ns() },
          spec: { selector: { app: "web" }, ports: [{ port: 80 }] },
        }),
        "deploy/extra.yaml": cm("extra"),
        "deploy/kustomization.yaml": stringify({
          resources: ["namespace.yaml", "crd.yaml", "widget.yaml", "web.yaml", "service.yaml", "extra.yaml"],
          configMapGenerator: [{ name: "settings", namespace: ns(), literals: ["mode=prod"] }],
        }),
      },
    });
    revision = await createSource(repo, "app");
    await createKs("app", { sourceRef: { kind: "GitRepository", name: "app" }, path: "./deploy" });
    const obj = await ready("app", "True", "ReconciliationSucceeded");
    assertKstatus(obj);
    const st = (obj as any).status;
    expect(conditionOf(obj, "Ready")?.message).toBe(`Applied revision: ${revision}`);
    expect(st.lastAppliedRevision).toBe(revision);
    expect(st.lastAttemptedRevision).toBe(revision);
    const ids = st.inventory.entries.map((e: { id: string }) => e.id);
    expect(ids).toEqual(
      expect.arrayContaining([
        `_${extraNs}__Namespace`,
        `_widgets.${group}_apiextensions.k8s.io_CustomResourceDefinition`,
        `${ns()}_w1_${group}_Widget`,
        `${ns()}_web_apps_Deployment`,
        `${ns()}_web__Service`,
        `${ns()}_extra__ConfigMap`,
      ]),
    );
    expect(ids.some((id: string) => id.startsWith(`${ns()}_settings-`))).toBe(true);
    const out = await kubectlOk(["get", "ks", "app", "-n", ns()]);
    expect(out).toContain(`Applied revision: ${revision}`);
    const web = await readObject({ apiVersion: "apps/v1", kind: "Deployment", name: "web", namespace: ns() });
    expect(web?.metadata?.labels).toMatchObject({
      "kustomize.toolkit.fluxcd.io/name": "app",
      "kustomize.toolkit.fluxcd.io/namespace": ns(),
    });
  });

  it("a second reconcile with nothing changed writes nothing and dry-runs nothing", async () => {
    const before = await kubectlOk([
      "get",
      "deploy,svc,cm",
      "-n",
      ns(),
      "-o",
      "jsonpath={range .items[*]}{.metadata.name}={.metadata.resourceVersion} {end}",
    ]);
    // The no-op path needs the owned-object watches synced; until then a dry-run is the correct answer.
    expect(await apply.whenSynced()).toBe(true);
    requests.length = 0;
    const token = `t-${Date.now()}`;
    await kubectlOk([
      "annotate",
      "--overwrite",
      "ks",
      "app",
      "-n",
      ns(),
      `reconcile.fluxcd.io/requestedAt=${token}`,
    ]);
    await eventually(
      "requestedAt handled",
      async () => ((await ks("app")).status?.lastHandledReconcileAt === token ? true : undefined),
      () => ks("app"),
    );
    const after = await kubectlOk([
      "get",
      "deploy,svc,cm",
      "-n",
      ns(),
      "-o",
      "jsonpath={range .items[*]}{.metadata.name}={.metadata.resourceVersion} {end}",
    ]);
    expect(after).toBe(before);
    expect(requests.filter((r) => r.dryRun || r.verb === "apply")).toEqual([]);
    assertKstatus(await ks("app"));
  });

  it("kubectl scale, edit and delete of managed objects are corrected within seconds (interval 1h)", async () => {
    await kubectlOk(["scale", "deployment/web", "-n", ns(), "--replicas=3"]);
    await eventually(
      "replicas back to 1",
      async () => {
        const d = (await readObject({
          apiVersion: "apps/v1",
          kind: "Deployment",
          name: "web",
          namespace: ns(),
        })) as any;
        return d?.spec?.replicas === 1 ? true : undefined;
      },
      undefined,
      { timeoutMs: 15_000 },
    );
    await kubectlOk([
      "patch",
      "configmap/extra",
      "-n",
      ns(),
      "--type=merge",
      "-p",
      '{"data":{"k":"edited"}}',
    ]);
    await eventually(
      "configmap data restored",
      async () => {
        const c = (await readObject({
          apiVersion: "v1",
          kind: "ConfigMap",
          name: "extra",
          namespace: ns(),
        })) as any;
        return c?.data?.k === "v" ? true : undefined;
      },
      undefined,
      { timeoutMs: 15_000 },
    );
    await kubectlOk(["delete", "service/web", "-n", ns()]);
    await eventually(
      "service recreated",
      async () =>
        (await readObject({ apiVersion: "v1", kind: "Service", name: "web", namespace: ns() }))
          ? true
          : undefined,
      undefined,
      { timeoutMs: 15_000 },
    );
  });

  it("prunes a file removed from Git, keeps one marked prune: disabled", async () => {
    await repo.commit({
      files: {
        "deploy/extra.yaml": cm("extra", {
          annotations: { "kustomize.toolkit.fluxcd.io/prune": "disabled" },
        } as any),
        "deploy/keep.yaml": null,
      },
    });
    revision = await publish(repo, "app");
    await eventually(
      "new revision applied",
      async () => ((await ks("app")).status?.lastAppliedRevision === revision ? true : undefined),
      () => ks("app"),
    );
    await repo.commit({
      files: {
        "deploy/extra.yaml": null,
        "deploy/service.yaml": null,
        "deploy/kustomization.yaml": stringify({
          resources: ["namespace.yaml", "crd.yaml", "widget.yaml", "web.yaml"],
          configMapGenerator: [{ name: "settings", namespace: ns(), literals: ["mode=prod"] }],
        }),
      },
    });
    revision = await publish(repo, "app");
    await eventually(
      "pruned revision applied",
      async () => ((await ks("app")).status?.lastAppliedRevision === revision ? true : undefined),
      () => ks("app"),
    );
    expect(
      await readObject({ apiVersion: "v1", kind: "Service", name: "web", namespace: ns() }),
    ).toBeUndefined();
    expect(
      await readObject({ apiVersion: "v1", kind: "ConfigMap", name: "extra", namespace: ns() }),
    ).toBeDefined();
    const ids = (await ks("app")).status.inventory.entries.map((e: { id: string }) => e.id);
    expect(ids).not.toContain(`${ns()}_web__Service`);
  });

  it("broken YAML: Ready=False BuildFailed naming the file, nothing pruned, lastAppliedRevision kept", async () => {
    const good = (await ks("app")).status.lastAppliedRevision;
    await repo.commit({
      files: { "deploy/web.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata: [broken\n" },
    });
    const broken = await publish(repo, "app");
    const obj = await ready("app", "False", "BuildFailed");
    expect(conditionOf(obj, "Ready")?.message).toContain("web.yaml");
    expect(conditionOf(obj, "Reconciling")?.reason).toBe("ProgressingWithRetry");
    expect((obj as any).status.lastAppliedRevision).toBe(good);
    expect((obj as any).status.lastAttemptedRevision).toBe(broken);
    expect(
      await readObject({ apiVersion: "apps/v1", kind: "Deployment", name: "web", namespace: ns() }),
    ).toBeDefined();
    await repo.commit({ files: { "deploy/web.yaml": deployment("web") } });
    const fixed = await publish(repo, "app");
    await eventually(
      "fixed revision applied",
      async () => ((await ks("app")).status?.lastAppliedRevision === fixed ? true : undefined),
      () => ks("app"),
    );
  });

  it("dependsOn: B waits with DependencyNotReady and proceeds once A is Ready", async () => {
    const other = await git.createRepo(`dep-${suffix}`);
    await other.commit({ files: { "b/cm.yaml": cm("from-b") } });
    await createSource(other, "dep");
    await createKs("b", {
      sourceRef: { kind: "GitRepository", name: "dep" },
      path: "./b",
      dependsOn: [{ name: "a" }],
    });
    const waiting = await ready("b", "False", "DependencyNotReady");
    expect(conditionOf(waiting, "Ready")?.message).toContain(`dependency '${ns()}/a'`);
    await other.commit({ files: { "a/cm.yaml": cm("from-a") } });
    await publish(other, "dep");
    await createKs("a", { sourceRef: { kind: "GitRepository", name: "dep" }, path: "./a" });
    await ready("a", "True");
    await kubectlOk([
      "annotate",
      "--overwrite",
      "ks",
      "b",
      "-n",
      ns(),
      `reconcile.fluxcd.io/requestedAt=${Date.now()}`,
    ]);
    assertKstatus(await ready("b", "True"));
    expect(
      await readObject({ apiVersion: "v1", kind: "ConfigMap", name: "from-b", namespace: ns() }),
    ).toBeDefined();
  });

  it("deleting a suspended Kustomization orphans its objects; deleting one with prune collects them", async () => {
    await kubectlOk(["patch", "ks", "b", "-n", ns(), "--type=merge", "-p", '{"spec":{"suspend":true}}']);
    await kubectlOk(["delete", "ks", "b", "-n", ns(), "--wait=true", "--timeout=30s"]);
    expect(
      await readObject({ apiVersion: "v1", kind: "ConfigMap", name: "from-b", namespace: ns() }),
    ).toBeDefined();
    await kubectlOk(["delete", "ks", "a", "-n", ns(), "--wait=true", "--timeout=30s"]);
    await eventually("from-a deleted", async () =>
      (await readObject({ apiVersion: "v1", kind: "ConfigMap", name: "from-a", namespace: ns() }))
        ? undefined
        : true,
    );
  });

  it("deleting the main Kustomization collects cluster-scoped objects too", async () => {
    await kubectlOk(["delete", "ks", "app", "-n", ns(), "--wait=true", "--timeout=60s"]);
    await eventually("CRD deleted", async () =>
      (await readObject({
        apiVersion: "apiextensions.k8s.io/v1",
        kind: "CustomResourceDefinition",
        name: `widgets.${group}`,
      }))
        ? undefined
        : true,
    );
    expect(
      await readObject({ apiVersion: "v1", kind: "ConfigMap", name: "extra", namespace: ns() }),
    ).toBeDefined();
  });

  it("an immutable field change fails naming spec.force and the annotation; with force the object is recreated", async () => {
    const r = await git.createRepo(`imm-${suffix}`);
    const dep = (app: string) =>
      stringify({
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "imm", namespace: ns() },
        spec: {
          replicas: 1,
          selector: { matchLabels: { app } },
          template: {
            metadata: { labels: { app } },
            spec: { containers: [{ name: "c", image: "nginx:1.27" }] },
          },
        },
      });
    await r.commit({ files: { "imm/dep.yaml": dep("one") } });
    await createSource(r, "imm");
    await createKs("imm", {
      sourceRef: { kind: "GitRepository", name: "imm" },
      path: "./imm",
      retryInterval: "2s",
    });
    await ready("imm", "True");
    const uid = (
      await readObject({ apiVersion: "apps/v1", kind: "Deployment", name: "imm", namespace: ns() })
    )?.metadata?.uid;
    await r.commit({ files: { "imm/dep.yaml": dep("two") } });
    const rev = await publish(r, "imm");
    const failed = await ready("imm", "False", "ReconciliationFailed");
    expect(conditionOf(failed, "Ready")?.message).toContain("spec.force: true");
    expect(conditionOf(failed, "Ready")?.message).toContain("kustomize.toolkit.fluxcd.io/force: enabled");
    await kubectlOk(["patch", "ks", "imm", "-n", ns(), "--type=merge", "-p", '{"spec":{"force":true}}']);
    await eventually(
      "forced revision applied",
      async () => ((await ks("imm")).status?.lastAppliedRevision === rev ? true : undefined),
      () => ks("imm"),
    );
    const after = await readObject({
      apiVersion: "apps/v1",
      kind: "Deployment",
      name: "imm",
      namespace: ns(),
    });
    expect(after?.metadata?.uid).not.toBe(uid);
  });

  it("health: a Deployment that never becomes available gives HealthCheckFailed naming it; written available, Ready", async () => {
    const r = await git.createRepo(`health-${suffix}`);
    await r.commit({ files: { "h/dep.yaml": deployment("slow") } });
    await createSource(r, "health");
    await createKs("health", {
      sourceRef: { kind: "GitRepository", name: "health" },
      path: "./h",
      wait: true,
      timeout: "30s",
      retryInterval: "2s",
    });
    const ref = { ...KS, name: "health", namespace: ns() };
    const failed = await waitForCondition(ref, "Ready", "False", {
      reason: "HealthCheckFailed",
      timeoutMs: 90_000,
    });
    expect(conditionOf(failed, "Ready")?.message).toContain(`Deployment/${ns()}/slow`);
    expect(conditionOf(failed, "Healthy")).toMatchObject({ status: "False", reason: "HealthCheckFailed" });
    const d = (await readObject({
      apiVersion: "apps/v1",
      kind: "Deployment",
      name: "slow",
      namespace: ns(),
    })) as any;
    const status = availableDeploymentStatus(d.metadata.generation);
    await kubectlOk([
      "patch",
      "deployment",
      "slow",
      "-n",
      ns(),
      "--subresource=status",
      "--type=merge",
      "-p",
      JSON.stringify({ status }),
    ]);
    const ok = await waitForCondition(ref, "Ready", "True", { timeoutMs: 60_000 });
    expect(conditionOf(ok, "Healthy")).toMatchObject({ status: "True", reason: "Succeeded" });
    assertKstatus(ok);
  }, 180_000);
});
