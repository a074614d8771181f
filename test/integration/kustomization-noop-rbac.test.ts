/**
 * Issue 17, item 7, on the real control plane: the no-op cache has a safety net. A Kustomization
 * applying as a ServiceAccount that has since lost its RBAC fails at the next reconcile with the
 * server's Forbidden, as in Flux (which dry-runs every object at every interval), instead of
 * staying Ready because nothing in Git changed.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import type { GitRepo } from "../../src/dev/git-server/index.js";
import { conditionOf, randomSuffix, useTestNamespace } from "../support/kube.js";
import { KustomizationHarness, kubectlOk } from "../support/kustomization-harness.js";

const ns = useTestNamespace("noop-rbac");
let harness: KustomizationHarness;
let repo: GitRepo;

const rbac = (namespace: string): string =>
  [
    { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "deployer", namespace } },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "Role",
      metadata: { name: "deployer", namespace },
      rules: [{ apiGroups: [""], resources: ["configmaps"], verbs: ["*"] }],
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: { name: "deployer", namespace },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "deployer" },
      subjects: [{ kind: "ServiceAccount", name: "deployer", namespace }],
    },
  ]
    .map((o) => stringify(o))
    .join("---\n");

beforeAll(async () => {
  harness = await KustomizationHarness.start(ns);
  repo = await harness.git.createRepo(`noop-rbac-${randomSuffix()}`);
  await repo.commit({
    files: {
      "app/cm.yaml": stringify({
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "c" },
        data: { k: "v" },
      }),
    },
  });
  await harness.createSource(repo, "src");
  await kubectlOk(["apply", "-f", "-"], rbac(ns()));
});

afterAll(async () => {
  await harness?.stop();
});

describe("the no-op cache under impersonation (issue 17)", () => {
  it("a ServiceAccount that lost its RBAC fails the next reconcile although nothing changed", async () => {
    await harness.createKs("app", {
      sourceRef: { kind: "GitRepository", name: "src" },
      path: "./app",
      targetNamespace: ns(),
      serviceAccountName: "deployer",
    });
    await harness.condition("app", "Ready", "True", "ReconciliationSucceeded");
    // A second reconcile with nothing changed: the cache decides, and the access check passes.
    await harness.requestReconcile("app");
    await harness.condition("app", "Ready", "True", "ReconciliationSucceeded");
    await kubectlOk(["delete", "rolebinding", "deployer", "-n", ns()]);
    await harness.requestReconcile("app");
    const failed = await harness.condition("app", "Ready", "False", "ReconciliationFailed");
    expect(conditionOf(failed, "Ready")?.message).toMatch(/forbidden/i);
    expect(conditionOf(failed, "Ready")?.message).toContain("system:serviceaccount:" + ns() + ":deployer");
  }, 180_000);
});
