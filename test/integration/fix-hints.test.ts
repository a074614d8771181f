/**
 * Issue 20, item 4, on the real control plane: each failure users meet most keeps the clause Flux
 * writes and appends `; fix: …`, naming the Kustomization whose inventory holds the missing CRD or
 * Namespace when the controller's Kustomization cache knows one.
 *
 * The holders are suspended Kustomizations whose `status.inventory` lists the CRD or Namespace
 * while it is missing from the cluster: the state a Kustomization leaves behind when it is
 * suspended and its objects are removed (written here through the status subresource, since a
 * suspended Kustomization is never reconciled).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import type { GitRepo } from "../../src/dev/git-server/index.js";
import { conditionOf, kubectl, patchStatus, randomSuffix, useTestNamespace } from "../support/kube.js";
import { KustomizationHarness, kubectlOk } from "../support/kustomization-harness.js";

const ns = useTestNamespace("fix-hints");
const suffix = randomSuffix();
const group = `hints-${suffix}.example.com`;
const missingNs = `hints-missing-${suffix}`;
let harness: KustomizationHarness;
let repo: GitRepo;

const source = { kind: "GitRepository", name: "src" };
const cm = (name: string, namespace: string, data: Record<string, string> = { k: "v" }): string =>
  stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace }, data });

beforeAll(async () => {
  harness = await KustomizationHarness.start(ns);
  repo = await harness.git.createRepo(`hints-${suffix}`);
  await repo.commit({
    files: {
      "crd-user/widget.yaml": stringify({
        apiVersion: `${group}/v1`,
        kind: "Widget",
        metadata: { name: "w", namespace: ns() },
      }),
      "ns-user/cm.yaml": cm("c", missingNs),
      "immutable/cm.yaml": stringify({
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "frozen", namespace: ns() },
        immutable: true,
        data: { k: "from-git" },
      }),
      "rbac/cm.yaml": cm("c", ns()),
      "broken/kustomization.yaml": "resources: [missing.yaml]\n",
      "dependent/cm.yaml": cm("d", ns()),
      "subst/cm.yaml": cm("s", ns(), { name: "${cluster_name}" }),
    },
  });
  await harness.createSource(repo, "src");
});

afterAll(async () => {
  await harness?.stop();
});

/** The Ready message once Kustomization `name` failed with `reason`. */
async function failure(name: string, reason: string): Promise<string> {
  const failed = await harness.condition(name, "Ready", "False", reason);
  return conditionOf(failed, "Ready")?.message ?? "";
}

/** A suspended Kustomization whose inventory lists `ids` (none of which exists). */
async function holder(name: string, ids: string[]): Promise<void> {
  await harness.createKs(name, { sourceRef: source, path: "./dependent", suspend: true });
  await patchStatus("kustomization", name, ns(), {
    inventory: { entries: ids.map((id) => ({ id, v: "v1" })) },
  });
}

describe("errors that say how to fix (issue 20)", () => {
  it("CRD missing: the generic fix, then the Kustomization whose inventory holds the CRD", async () => {
    await harness.createKs("crd-user", { sourceRef: source, path: "./crd-user" });
    const clause = `Widget/${ns()}/w dry-run failed: no matches for kind "Widget" in version "${group}/v1"`;
    expect(await failure("crd-user", "ReconciliationFailed")).toBe(
      `${clause}; fix: install the CustomResourceDefinition that serves Widget in ${group}/v1 before this Kustomization applies (from a Kustomization listed in spec.dependsOn, or add it to this one's resources), or correct the apiVersion`,
    );
    await holder("infra", [`_widgets.${group}_apiextensions.k8s.io_CustomResourceDefinition`]);
    await harness.requestReconcile("crd-user");
    const named = `${clause}; fix: the CustomResourceDefinition widgets.${group} is in the inventory of Kustomization ${ns()}/infra: list it in spec.dependsOn so that this Kustomization waits for it`;
    await harness.conditionMessage("crd-user", "Ready", named);
  }, 180_000);

  it("namespace missing: names the Kustomization whose inventory holds the Namespace", async () => {
    await holder("namespaces", [`_${missingNs}__Namespace`]);
    await harness.createKs("ns-user", { sourceRef: source, path: "./ns-user" });
    const message = await failure("ns-user", "ReconciliationFailed");
    expect(message).toMatch(
      new RegExp(`^ConfigMap/${missingNs}/c not found: namespaces "${missingNs}" not found; fix: `),
    );
    expect(message).toContain(
      `; fix: Namespace ${missingNs} is in the inventory of Kustomization ${ns()}/namespaces: list it in spec.dependsOn so that the namespace exists first`,
    );
  }, 180_000);

  it("immutable field: suggests spec.force or the force annotation", async () => {
    const live = stringify({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "frozen", namespace: ns() },
      immutable: true,
      data: { k: "in-cluster" },
    });
    await kubectlOk(["apply", "-f", "-"], live);
    await harness.createKs("immutable", { sourceRef: source, path: "./immutable" });
    const message = await failure("immutable", "ReconciliationFailed");
    expect(message).toMatch(
      new RegExp(`^ConfigMap/${ns()}/frozen dry-run failed \\(Invalid\\): .*field is immutable`),
    );
    expect(message).toContain(
      `ConfigMap/${ns()}/frozen has immutable fields that changed; to recreate it, set 'spec.force: true' on the Kustomization or annotate the object with 'kustomize.toolkit.fluxcd.io/force: enabled'`,
    );
  }, 180_000);

  it("forbidden under impersonation: names the ServiceAccount and what to grant", async () => {
    await kubectlOk(["create", "serviceaccount", "nobody", "-n", ns()]);
    await harness.createKs("rbac", { sourceRef: source, path: "./rbac", serviceAccountName: "nobody" });
    const message = await failure("rbac", "ReconciliationFailed");
    expect(message).toMatch(
      new RegExp(
        `^ConfigMap/${ns()}/c dry-run failed \\(Forbidden\\): .*User "system:serviceaccount:${ns()}:nobody" cannot patch resource "configmaps"`,
      ),
    );
    expect(message).toContain(
      `; fix: grant ServiceAccount ${ns()}/nobody "patch" on "configmaps" (API group "") in namespace ${ns()} with a Role and RoleBinding (or a ClusterRole bound there); a Kustomization's ServiceAccount needs get, list, watch, create, patch and delete on what it applies. Or set spec.serviceAccountName to an account that has them`,
    );
  }, 180_000);

  it("dependency not ready: quotes the dependency's own failure", async () => {
    await harness.createKs("broken", { sourceRef: source, path: "./broken" });
    const broken = await failure("broken", "BuildFailed");
    await harness.createKs("dependent", {
      sourceRef: source,
      path: "./dependent",
      dependsOn: [{ name: "broken" }],
    });
    const message = await failure("dependent", "DependencyNotReady");
    // One short line, so the hint quotes it whole.
    expect(broken).not.toContain("\n");
    expect(broken.length).toBeLessThanOrEqual(200);
    expect(message).toBe(
      `dependency '${ns()}/broken' is not ready; fix: Kustomization ${ns()}/broken is Ready=False (BuildFailed: ${broken}): fix that one first; this Kustomization checks again every 30s`,
    );
    expect(await kubectl(["get", "configmap", "d", "-n", ns()])).toMatchObject({ code: 1 });
  }, 180_000);

  it("substitution variable missing: says where to set it or how to default it", async () => {
    await harness.createKs("subst", {
      sourceRef: source,
      path: "./subst",
      postBuild: { substitute: { other: "x" } },
    });
    const message = await failure("subst", "BuildFailed");
    expect(message).toMatch(/variable not set \(strict mode\): "cluster_name"; fix: /);
    expect(message).toContain(
      "; fix: set cluster_name in spec.postBuild.substitute or in a ConfigMap or Secret listed in spec.postBuild.substituteFrom, or give it a default in the manifest: ${cluster_name:=default}",
    );
  }, 180_000);
});
