/**
 * Issue 15: `Kustomization.spec.kubeConfig`. A second real control plane, started here, is the
 * remote cluster; the Kustomizations live in the first (the test run's) and point at the second
 * through a Secret holding its kubeconfig. Apply, prune, health checks, drift correction and
 * impersonation happen on the remote cluster, and nothing lands on the local one; a kubeconfig
 * that cannot be loaded or reached fails the reconcile without touching the local cluster.
 */
import { readFile } from "node:fs/promises";
import { CoreV1Api, KubeConfig, KubernetesObjectApi, type KubernetesObject } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { ApplyClusters, ApplyManager } from "../../src/apply/cluster/index.js";
import { ensureControlPlaneBinaries } from "../../src/dev/control-plane/build.js";
import { defaultCacheRoot } from "../../src/dev/control-plane/cache.js";
import { type ControlPlane, startControlPlane } from "../../src/dev/control-plane/control-plane.js";
import { KUBERNETES_VERSION } from "../../src/dev/control-plane/versions.js";
import { startGitServer, type GitRepo, type GitServer } from "../../src/dev/git-server/index.js";
import { ApiKustomizationClient } from "../../src/kustomization/cluster-client.js";
import {
  startKustomizationController,
  type RunningKustomizationController,
} from "../support/kustomization-controller.js";
import { kustomizationOptions } from "../../src/kustomization/options.js";
import { apiEventSink } from "../../src/runtime/event-sink.js";
import { EventRecorder } from "../../src/runtime/events.js";
import { startSourceController, type SourceHarness } from "../../src/source/testing.js";
import {
  conditionOf,
  eventually,
  kubectl,
  kubectlOk,
  randomSuffix,
  readObject,
  testKubeConfig,
  useTestNamespace,
  waitForCondition,
  waitForObject,
} from "../support/kube.js";

const ns = useTestNamespace("ks-remote");
const shard = `ks-remote-${randomSuffix()}`;
const SHARD_LABEL = "mooring.test/shard";
const KS = { apiVersion: "kustomize.toolkit.fluxcd.io/v1", kind: "Kustomization" };
const GR = { apiVersion: "source.toolkit.fluxcd.io/v1", kind: "GitRepository" };

let remote: ControlPlane;
let remoteKc: KubeConfig;
let remoteKubeconfigText: string;
let git: GitServer;
let repo: GitRepo;
let source: SourceHarness;
let clusters: ApplyClusters;
let controller: RunningKustomizationController;
let recorder: EventRecorder;

/** Reads an object on the remote cluster; undefined when it does not exist. */
async function readRemote(
  kind: string,
  name: string,
  apiVersion = "v1",
): Promise<KubernetesObject | undefined> {
  try {
    return await KubernetesObjectApi.makeApiClient(remoteKc).read({
      apiVersion,
      kind,
      metadata: { name, namespace: ns() },
    });
  } catch (err) {
    if ((err as { code?: number }).code === 404) return undefined;
    throw err;
  }
}

const readLocal = (kind: string, name: string, apiVersion = "v1") =>
  readObject({ apiVersion, kind, name, namespace: ns() });

/** Asserts that none of the objects exist on the local cluster. */
async function assertNothingLocal(objects: readonly [string, string, string?][]): Promise<void> {
  for (const [kind, name, apiVersion] of objects)
    expect(await readLocal(kind, name, apiVersion)).toBeUndefined();
}

async function publish(): Promise<string> {
  const revision = `main@sha1:${await repo.revParse("main")}`;
  await kubectlOk([
    "annotate",
    "--overwrite",
    "gitrepository",
    "app",
    "-n",
    ns(),
    `reconcile.fluxcd.io/requestedAt=${Date.now()}`,
  ]);
  await waitForObject(
    { ...GR, name: "app", namespace: ns() },
    (o) => (o as { status?: { artifact?: { revision?: string } } }).status?.artifact?.revision === revision,
    { timeoutMs: 60_000 },
  );
  return revision;
}

async function kubeconfigSecret(name: string, data: Record<string, string>): Promise<void> {
  await kubectlOk(
    ["apply", "-f", "-"],
    stringify({ apiVersion: "v1", kind: "Secret", metadata: { name, namespace: ns() }, stringData: data }),
  );
}

async function createKs(name: string, spec: Record<string, unknown>): Promise<void> {
  await kubectlOk(
    ["apply", "-f", "-"],
    stringify({
      ...KS,
      metadata: { name, namespace: ns(), labels: { [SHARD_LABEL]: shard } },
      spec: {
        interval: "1h",
        timeout: "2m",
        prune: true,
        sourceRef: { kind: "GitRepository", name: "app" },
        ...spec,
      },
    }),
  );
}

const ksRef = (name: string) => ({ ...KS, name, namespace: ns() });

const configMap = (name: string, data: Record<string, string>) =>
  stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: ns() }, data });

const deployment = (): string =>
  stringify({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", namespace: ns() },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: "web" } },
      template: {
        metadata: { labels: { app: "web" } },
        spec: { containers: [{ name: "web", image: "nginx:1.27" }] },
      },
    },
  });

/** There is no deployment controller: the test writes an available status on the remote cluster. */
async function markRemoteDeploymentAvailable(): Promise<void> {
  const status = {
    observedGeneration: 1,
    replicas: 1,
    updatedReplicas: 1,
    readyReplicas: 1,
    availableReplicas: 1,
    conditions: [
      { type: "Available", status: "True", reason: "MinimumReplicasAvailable", message: "ok" },
      { type: "Progressing", status: "True", reason: "NewReplicaSetAvailable", message: "ok" },
    ],
  };
  const args = [
    "--kubeconfig",
    remote.kubeconfigPath,
    "-n",
    ns(),
    "patch",
    "deployment/web",
    "--subresource=status",
  ];
  await kubectlOk([...args, "--type=merge", "-p", JSON.stringify({ status })]);
}

beforeAll(async () => {
  const binaries = await ensureControlPlaneBinaries({
    cacheRoot: defaultCacheRoot(process.env),
    kubernetesVersion: KUBERNETES_VERSION,
    log: () => undefined,
  });
  remote = await startControlPlane({ binaries, log: () => undefined });
  remoteKubeconfigText = await readFile(remote.kubeconfigPath, "utf8");
  remoteKc = new KubeConfig();
  remoteKc.loadFromString(remoteKubeconfigText);
  // The Kustomizations' namespace exists on both clusters; only the remote one gets the objects.
  await remoteKc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: ns() } } });

  git = await startGitServer();
  repo = await git.createRepo(`remote-${shard}`);
  await repo.commit({
    files: {
      "app/a.yaml": configMap("a", { k: "v" }),
      "app/b.yaml": configMap("b", { k: "v" }),
      "app/web.yaml": deployment(),
      "app/kustomization.yaml": stringify({ resources: ["a.yaml", "b.yaml", "web.yaml"] }),
      "other/c.yaml": configMap("c", { k: "v" }),
      "other/kustomization.yaml": stringify({ resources: ["c.yaml"] }),
    },
  });
  const kc = testKubeConfig();
  source = await startSourceController(kc, { labelSelector: `${SHARD_LABEL}=${shard}` });
  await kubectlOk(
    ["apply", "-f", "-"],
    stringify({
      ...GR,
      metadata: { name: "app", namespace: ns(), labels: { [SHARD_LABEL]: shard } },
      spec: { url: repo.url, interval: "1h", ref: { branch: "main" } },
    }),
  );
  await publish();

  recorder = new EventRecorder({ sink: apiEventSink(kc), component: "kustomize-controller" });
  clusters = new ApplyClusters(new ApplyManager(kc), (remoteConfig) => new ApplyManager(remoteConfig));
  const client = new ApiKustomizationClient(kc, (obj, e) => recorder.record(obj, e));
  const options = kustomizationOptions({ driftRequeueMinIntervalMs: 1_000 });
  // Sharded: other files run their own Kustomization controllers on the same control plane.
  const labelSelector = `${SHARD_LABEL}=${shard}`;
  controller = startKustomizationController({
    kubeConfig: kc,
    client,
    apply: clusters,
    options,
    labelSelector,
  });
}, 600_000);

afterAll(async () => {
  await controller?.stop();
  await clusters?.close();
  await recorder?.flush();
  await source?.stop();
  await git?.stop();
  await remote?.stop();
});

describe("spec.kubeConfig: the remote cluster (issue 15)", () => {
  it("applies to the remote cluster, health-checks there, and nothing lands locally", async () => {
    await kubeconfigSecret("remote-kubeconfig", { value: remoteKubeconfigText });
    await createKs("remote", {
      path: "./app",
      wait: true,
      kubeConfig: { secretRef: { name: "remote-kubeconfig" } },
    });
    const web = await eventually("Deployment web on the remote cluster", () =>
      readRemote("Deployment", "web", "apps/v1"),
    );
    expect(web.metadata?.labels?.["kustomize.toolkit.fluxcd.io/name"]).toBe("remote");
    // The health check waits on the remote Deployment (the local cluster has none to look at).
    const waiting = await waitForCondition(ksRef("remote"), "Healthy", "Unknown", { timeoutMs: 60_000 });
    expect(conditionOf(waiting, "Ready")?.status).not.toBe("True");
    await markRemoteDeploymentAvailable();
    const ready = await waitForCondition(ksRef("remote"), "Ready", "True", { timeoutMs: 90_000 });
    expect(conditionOf(ready, "Healthy")?.status).toBe("True");
    const entries = (ready as { status?: { inventory?: { entries?: { id: string }[] } } }).status?.inventory
      ?.entries;
    expect(entries?.map((e) => e.id).sort()).toEqual([
      `${ns()}_a__ConfigMap`,
      `${ns()}_b__ConfigMap`,
      `${ns()}_web_apps_Deployment`,
    ]);
    expect(await readRemote("ConfigMap", "a")).toBeDefined();
    expect(await readRemote("ConfigMap", "b")).toBeDefined();
    await assertNothingLocal([
      ["ConfigMap", "a"],
      ["ConfigMap", "b"],
      ["Deployment", "web", "apps/v1"],
    ]);
  });

  it("corrects drift on the remote cluster from its watch (interval 1 h)", async () => {
    const remoteArgs = ["--kubeconfig", remote.kubeconfigPath, "-n", ns()];
    await kubectlOk([...remoteArgs, "patch", "configmap/a", "--type=merge", "-p", '{"data":{"k":"edited"}}']);
    await eventually("ConfigMap a restored on the remote cluster", async () => {
      const a = (await readRemote("ConfigMap", "a")) as { data?: Record<string, string> } | undefined;
      return a?.data?.k === "v" ? a : undefined;
    });
    await kubectlOk([...remoteArgs, "delete", "configmap/b"]);
    await eventually("ConfigMap b recreated on the remote cluster", () => readRemote("ConfigMap", "b"));
    await assertNothingLocal([
      ["ConfigMap", "a"],
      ["ConfigMap", "b"],
    ]);
  });

  it("prunes from the remote cluster", async () => {
    await repo.commit({
      files: { "app/kustomization.yaml": stringify({ resources: ["a.yaml", "web.yaml"] }) },
    });
    const revision = await publish();
    await waitForObject(
      ksRef("remote"),
      (o) => (o as { status?: { lastAppliedRevision?: string } }).status?.lastAppliedRevision === revision,
      {
        timeoutMs: 90_000,
      },
    );
    expect(await readRemote("ConfigMap", "b")).toBeUndefined();
    expect(await readRemote("ConfigMap", "a")).toBeDefined();
    expect(clusters.remoteCount).toBe(1);
  });

  it("impersonates spec.serviceAccountName on the remote cluster", async () => {
    await createKs("remote-sa", {
      path: "./other",
      serviceAccountName: "deployer",
      kubeConfig: { secretRef: { name: "remote-kubeconfig" } },
    });
    const failed = await waitForCondition(ksRef("remote-sa"), "Ready", "False", {
      reason: "ReconciliationFailed",
      timeoutMs: 60_000,
    });
    // The remote API server refused the impersonated ServiceAccount (it has no RBAC there).
    expect(conditionOf(failed, "Ready")?.message).toContain(`system:serviceaccount:${ns()}:deployer`);
    expect(await readRemote("ConfigMap", "c")).toBeUndefined();
    await assertNothingLocal([["ConfigMap", "c"]]);
    // Both Kustomizations use the same kubeconfig: one client set.
    expect(clusters.remoteCount).toBe(1);
  });

  /** The kubeconfig Secret of each failure case (undefined: no Secret at all). */
  const withUser = (line: string): string =>
    remoteKubeconfigText.replace(
      /users:\n- name: (.*)\n {2}user:\n/,
      `users:\n- name: $1\n  user:\n    ${line}\n`,
    );
  const secretOf: Record<string, () => Record<string, string> | undefined> = {
    missing: () => undefined,
    "without a value key": () => ({ other: "x" }),
    "running a command": () => ({
      value: withUser("exec: {command: /bin/true, apiVersion: client.authentication.k8s.io/v1}"),
    }),
    "for an unreachable server": () => ({
      value: remoteKubeconfigText.replace(
        /server: https:\/\/127\.0\.0\.1:\d+/,
        "server: https://127.0.0.1:1",
      ),
    }),
  };

  it.each([
    ["missing", `unable to read KubeConfig secret '%ns%/kc-missing' error: secrets "kc-missing" not found`],
    [
      "without a value key",
      `KubeConfig secret '%ns%/kc-missing' does not contain a 'value' key with a kubeconfig`,
    ],
    ["running a command", "is unusable: it uses user.exec, which mooring refuses for remote clusters"],
    ["for an unreachable server", "127.0.0.1:1"],
  ])(
    "fails clearly with a kubeconfig Secret %s, never touching the local cluster",
    async (what, expected) => {
      const name = `bad-${randomSuffix()}`;
      const data = secretOf[what]?.();
      if (data === undefined)
        await kubectl(["delete", "secret", "kc-missing", "-n", ns(), "--ignore-not-found"]);
      else {
        expect(data.value).not.toBe(remoteKubeconfigText);
        await kubeconfigSecret("kc-missing", data);
      }
      await createKs(name, { path: "./other", kubeConfig: { secretRef: { name: "kc-missing" } } });
      const failed = await waitForCondition(ksRef(name), "Ready", "False", {
        reason: "ReconciliationFailed",
        timeoutMs: 90_000,
      });
      const message = conditionOf(failed, "Ready")?.message ?? "";
      expect(message).toContain(expected.replace("%ns%", ns()));
      // No credential of the kubeconfig reaches the condition.
      const key = /client-key-data: (\S+)/.exec(remoteKubeconfigText)?.[1] ?? "";
      expect(key).not.toBe("");
      expect(message).not.toContain(key.slice(0, 40));
      expect(message).not.toContain("LS0tLS1CRUdJTi");
      expect(conditionOf(failed, "Stalled")).toBeUndefined();
      await assertNothingLocal([["ConfigMap", "c"]]);
      expect(await readRemote("ConfigMap", "c")).toBeUndefined();
      await kubectlOk(["delete", "kustomization", name, "-n", ns(), "--wait=false"]);
    },
  );

  it("deleting the Kustomizations prunes on the remote cluster and closes its client set", async () => {
    await kubectlOk(["delete", "kustomization", "remote", "remote-sa", "-n", ns(), "--wait=false"]);
    await eventually(
      "Deployment web deleted on the remote cluster",
      async () => ((await readRemote("Deployment", "web", "apps/v1")) === undefined ? true : undefined),
      undefined,
      { timeoutMs: 60_000 },
    );
    await eventually("ConfigMap a deleted on the remote cluster", async () =>
      (await readRemote("ConfigMap", "a")) === undefined ? true : undefined,
    );
    await eventually(
      "every remote client set closed",
      async () => (clusters.remoteCount === 0 ? true : undefined),
      async () => ({ remoteCount: clusters.remoteCount }),
      { timeoutMs: 60_000 },
    );
  });
});
