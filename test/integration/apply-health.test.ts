/**
 * Watch-driven health wait with kstatus rules against the real API server (issue 6 item 6).
 * There is no deployment controller in the test control plane: the test writes the status.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ApplyManager,
  HealthCancelledError,
  HealthCheckError,
  serviceAccountUser,
  type ObjectRef,
  type RequestInfo,
} from "../../src/apply/cluster/index.js";
import {
  availableDeploymentStatus,
  eventually,
  kubectl,
  testKubeConfig,
  useTestNamespace,
} from "../support/kube.js";

const ns = useTestNamespace("apply-health");
const owner = { name: "web", namespace: "flux-system" };
const requests: RequestInfo[] = [];
const manager = new ApplyManager(testKubeConfig(), { onRequest: (r) => requests.push(r) });
afterAll(() => manager.close());

const web = (): ObjectRef => ({
  group: "apps",
  version: "v1",
  kind: "Deployment",
  namespace: ns(),
  name: "web",
});

beforeAll(async () => {
  await manager.applyAllStaged(
    [
      {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "web", namespace: ns() },
        spec: {
          replicas: 1,
          selector: { matchLabels: { app: "web" } },
          template: {
            metadata: { labels: { app: "web" } },
            spec: { containers: [{ name: "web", image: "nginx" }] },
          },
        },
      },
      { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "cfg", namespace: ns() }, data: { a: "b" } },
    ],
    { owner },
  );
});

async function writeStatus(status: Record<string, unknown>): Promise<void> {
  const patch = JSON.stringify({ status: { observedGeneration: 1, ...status } });
  const r = await kubectl([
    "-n",
    ns(),
    "patch",
    "deployment/web",
    "--subresource=status",
    "--type=merge",
    "-p",
    patch,
  ]);
  expect(r.code, r.stderr).toBe(0);
}

/** Waits until the health wait started after request `from` is watching (it has listed). */
const watchStarted = (from: number): Promise<true> =>
  eventually("the health wait's watch", async () =>
    requests.slice(from).some((r) => r.verb === "watch") ? true : undefined,
  );

const unavailable = {
  replicas: 1,
  updatedReplicas: 1,
  readyReplicas: 0,
  availableReplicas: 0,
  conditions: [
    { type: "Available", status: "False", reason: "MinimumReplicasUnavailable", message: "no pods" },
  ],
};
const available = availableDeploymentStatus();

describe("objects Current as the apply returned them", () => {
  it("are reported by the apply, so no health wait reads them again; a new Deployment is not", async () => {
    const result = await manager.applyAllStaged(
      [
        {
          apiVersion: "apps/v1",
          kind: "Deployment",
          metadata: { name: "api", namespace: ns() },
          spec: {
            selector: { matchLabels: { app: "api" } },
            template: {
              metadata: { labels: { app: "api" } },
              spec: { containers: [{ name: "api", image: "nginx" }] },
            },
          },
        },
        { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "api", namespace: ns() }, data: { a: "b" } },
        { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "api", namespace: ns() } },
      ],
      { owner },
    );
    expect([...result.currentWhenApplied].sort()).toEqual([
      `${ns()}_api__ConfigMap`,
      `${ns()}_api__ServiceAccount`,
    ]);
    // Unchanged on the next run: read, not applied, and still Current as read.
    const again = await manager.applyAllStaged(
      [{ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "api", namespace: ns() }, data: { a: "b" } }],
      { owner, verify: true },
    );
    expect(again.entries.map((e) => e.action)).toEqual(["unchanged"]);
    expect([...again.currentWhenApplied]).toEqual([`${ns()}_api__ConfigMap`]);
  });
});

describe("health wait", () => {
  it("times out naming the unavailable Deployment and its failing check, using only list and watch", async () => {
    await writeStatus(unavailable);
    const from = requests.length;
    const cfg: ObjectRef = { group: "", version: "v1", kind: "ConfigMap", namespace: ns(), name: "cfg" };
    const err = await manager.waitForHealthy([web(), cfg], { timeoutMs: 1500 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HealthCheckError);
    expect((err as Error).message).toBe(
      `timeout waiting for: [Deployment/${ns()}/web status: 'InProgress': Available: 0/1]`,
    );
    const verbs = new Set(requests.slice(from).map((r) => r.verb));
    expect([...verbs].sort()).toEqual(["list", "watch"]);
  });

  it("passes once the status is written available, driven by the watch", async () => {
    await writeStatus(unavailable);
    const from = requests.length;
    const waiting = manager.waitForHealthy([web()], { timeoutMs: 60_000 });
    await watchStarted(from); // listed unavailable: only the watch can tell it the news
    await writeStatus(available);
    await expect(waiting).resolves.toBeUndefined();
  });

  it("fails early on a Failed object", async () => {
    await writeStatus({
      ...unavailable,
      conditions: [
        { type: "Progressing", status: "False", reason: "ProgressDeadlineExceeded", message: "late" },
      ],
    });
    const err = await manager.waitForHealthy([web()], { timeoutMs: 60_000 }).catch((e: unknown) => e);
    expect((err as Error).message).toBe(
      `failed early due to stalled resources: [Deployment/${ns()}/web status: 'Failed': Progress deadline exceeded]`,
    );
  });

  it("is cancelled through its AbortSignal", async () => {
    await writeStatus(unavailable);
    const abort = new AbortController();
    const from = requests.length;
    const waiting = manager.waitForHealthy([web()], { timeoutMs: 60_000, signal: abort.signal });
    await watchStarted(from);
    abort.abort();
    await expect(waiting).rejects.toBeInstanceOf(HealthCancelledError);
  });

  it("names a missing object and the impersonated user's read errors", async () => {
    const missing: ObjectRef = { ...web(), name: "absent" };
    const err = await manager
      .waitForHealthy([missing], { timeoutMs: 1500, impersonate: serviceAccountUser(ns(), "ghost") })
      .catch((e: unknown) => e);
    expect((err as Error).message).toContain(`Deployment/${ns()}/absent status: 'Unknown'`);
    expect((err as Error).message).toContain(
      `User "system:serviceaccount:${ns()}:ghost" cannot list resource "deployments"`,
    );
    const plain = await manager.waitForHealthy([missing], { timeoutMs: 1500 }).catch((e: unknown) => e);
    expect((plain as Error).message).toBe(
      `timeout waiting for: [Deployment/${ns()}/absent status: 'NotFound': Resource not found]`,
    );
  });
});
