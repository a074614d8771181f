/**
 * Issue 17, item 8, on the real control plane: drift of an applied object while the
 * Kustomization's health check is still waiting is corrected while the wait would still be
 * running, not after the health-check timeout (5 min here; the test's deadline is 60 s). The
 * Deployment never becomes available (the local control plane has no nodes), so the health check
 * keeps waiting for the whole test.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import type { GitRepo } from "../../src/dev/git-server/index.js";
import { conditionOf, eventually, randomSuffix, readObject, useTestNamespace } from "../support/kube.js";
import { KustomizationHarness, kubectlOk } from "../support/kustomization-harness.js";

const ns = useTestNamespace("drift-health");
let harness: KustomizationHarness;
let repo: GitRepo;

const configMap = (data: Record<string, string>) =>
  stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "settings" }, data });
const deployment = stringify({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "never-available" },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: "never" } },
    template: {
      metadata: { labels: { app: "never" } },
      spec: { containers: [{ name: "c", image: "registry.invalid/never:1" }] },
    },
  },
});

beforeAll(async () => {
  harness = await KustomizationHarness.start(ns, { driftRequeueMinIntervalMs: 1_000 });
  repo = await harness.git.createRepo(`drift-health-${randomSuffix()}`);
  await repo.commit({
    files: { "app/cm.yaml": configMap({ mode: "git" }), "app/deploy.yaml": deployment },
  });
  await harness.createSource(repo, "src");
});

afterAll(async () => {
  await harness?.stop();
});

const settings = async (): Promise<string | undefined> => {
  const cm = (await readObject({
    apiVersion: "v1",
    kind: "ConfigMap",
    name: "settings",
    namespace: ns(),
  })) as { data?: Record<string, string> } | undefined;
  return cm?.data?.mode;
};

describe("drift while a health check runs (issue 17)", () => {
  it("is corrected without waiting for the health-check timeout, and the wait goes on", async () => {
    await harness.createKs("app", {
      sourceRef: { kind: "GitRepository", name: "src" },
      path: "./app",
      targetNamespace: ns(),
      wait: true,
      timeout: "5m",
    });
    await harness.condition("app", "Healthy", "Unknown", "Progressing");
    expect(await settings()).toBe("git");
    await kubectlOk([
      "patch",
      "configmap",
      "settings",
      "-n",
      ns(),
      "--type=merge",
      "--field-manager=kubectl-edit",
      "-p",
      JSON.stringify({ data: { mode: "edited" } }),
    ]);
    await eventually(
      "the edited ConfigMap corrected while the health check still waits",
      async () => ((await settings()) === "git" ? true : undefined),
      async () => ({ mode: await settings(), ks: (await harness.ks("app"))?.status }),
      { timeoutMs: 60_000 },
    );
    // The health check was restarted on the corrected objects, not failed: it is still waiting.
    const ks = await harness.condition("app", "Healthy", "Unknown", "Progressing");
    expect(conditionOf(ks, "Ready")?.status).not.toBe("True");
  }, 180_000);
});
