/**
 * Issue 15, CEL fields of a Kustomization, end to end on the real control plane and git server:
 * `spec.healthCheckExprs` decide the health of a custom resource (installed by the test) with
 * `wait: true`, a true `failed` expression is Flux's health-check failure, a rule that does not
 * parse stalls the object; `spec.dependsOn[].readyExpr` holds back and then lets through.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import type { GitRepo } from "../../src/dev/git-server/index.js";
import { conditionOf, patchStatus, randomSuffix, useTestNamespace } from "../support/kube.js";
import { assertKstatusRules, KustomizationHarness, kubectlOk } from "../support/kustomization-harness.js";

const ns = useTestNamespace("ks-cel");
const suffix = randomSuffix();
const group = `cel${suffix}.mooring.test`;
const PREFIX = "Reconciliation failed terminally due to configuration error: ";

let harness: KustomizationHarness;
let repo: GitRepo;

const gizmo = (name: string) =>
  stringify({
    apiVersion: `${group}/v1`,
    kind: "Gizmo",
    metadata: { name, namespace: ns() },
    spec: { size: 1 },
  });
const configMap = (name: string) =>
  stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: ns() }, data: { k: "v" } });

/** Flux-style rules for Gizmos: `status.phase` decides. */
const gizmoHealth = {
  apiVersion: `${group}/v1`,
  kind: "Gizmo",
  current: "status.phase == 'Ready'",
  inProgress: "status.phase == 'Pending'",
  failed: "status.phase == 'Broken'",
};

/** Writes a Gizmo's status through the status subresource, as its operator would. */
async function setGizmoStatus(name: string, status: Record<string, unknown>): Promise<void> {
  await patchStatus(`gizmos.${group}`, name, ns(), status);
}

async function installCrd(): Promise<void> {
  const crd = {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: `gizmos.${group}` },
    spec: {
      group,
      scope: "Namespaced",
      names: { plural: "gizmos", singular: "gizmo", kind: "Gizmo", listKind: "GizmoList" },
      versions: [
        {
          name: "v1",
          served: true,
          storage: true,
          subresources: { status: {} },
          schema: { openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true } },
        },
      ],
    },
  };
  await kubectlOk(["apply", "-f", "-"], stringify(crd));
  await kubectlOk(["wait", "--for=condition=Established", "--timeout=60s", `crd/gizmos.${group}`]);
}

beforeAll(async () => {
  await installCrd();
  harness = await KustomizationHarness.start(ns, { requeueDependencyMs: 1_000 });
  repo = await harness.git.createRepo(`cel-${suffix}`);
  await repo.commit({
    files: {
      "healthy/gizmo.yaml": gizmo("g1"),
      "broken/gizmo.yaml": gizmo("g2"),
      "plain/cm.yaml": configMap("plain"),
      "gated/cm.yaml": configMap("gated"),
    },
  });
  await harness.createSource(repo, "cel");
});

afterAll(async () => {
  await harness?.stop();
  await kubectlOk(["delete", "crd", `gizmos.${group}`, "--ignore-not-found", "--wait=false"]).catch(
    () => undefined,
  );
});

const source = { kind: "GitRepository", name: "cel" };

describe("healthCheckExprs (issue 15)", () => {
  it("a custom resource with no conditions is healthy only once its current expression holds", async () => {
    await harness.createKs("healthy", {
      sourceRef: source,
      path: "./healthy",
      wait: true,
      timeout: "3m",
      healthCheckExprs: [gizmoHealth],
    });
    await harness.condition("healthy", "Healthy", "Unknown", "Progressing");
    // Built-in kstatus calls a resource without conditions Current; the CEL rule holds it.
    await setGizmoStatus("g1", { phase: "Pending" });
    const waiting = await harness.ks("healthy");
    assertKstatusRules(waiting);
    expect(conditionOf(waiting, "Ready")?.status).not.toBe("True");
    expect(conditionOf(waiting, "Healthy")?.status).toBe("Unknown");
    await setGizmoStatus("g1", { phase: "Ready" });
    const done = await harness.condition("healthy", "Ready", "True", "ReconciliationSucceeded");
    expect(conditionOf(done, "Healthy")).toMatchObject({ status: "True", reason: "Succeeded" });
    expect(conditionOf(done, "Healthy")?.message).toMatch(/^Health check passed in /);
    expect(conditionOf(done, "Stalled")).toBeUndefined();
    expect(done.status.observedGeneration).toBe(done.metadata.generation);
  });

  it("a true failed expression is Flux's health-check failure, even with a Ready=True condition", async () => {
    await harness.createKs("broken", {
      sourceRef: source,
      path: "./broken",
      wait: true,
      timeout: "3m",
      healthCheckExprs: [gizmoHealth],
    });
    await harness.condition("broken", "Healthy", "Unknown", "Progressing");
    const readyTrue = {
      type: "Ready",
      status: "True",
      reason: "Ok",
      message: "",
      lastTransitionTime: new Date().toISOString(),
    };
    await setGizmoStatus("g2", { phase: "Broken", conditions: [readyTrue] });
    const obj = await harness.condition("broken", "Ready", "False", "HealthCheckFailed");
    const message = conditionOf(obj, "Ready")?.message ?? "";
    expect(message).toMatch(
      new RegExp(
        `^health check failed after [^:]+: failed early due to stalled resources: \\[Gizmo/${ns()}/g2 status: 'Failed'\\]$`,
      ),
    );
    expect(conditionOf(obj, "Healthy")).toMatchObject({
      status: "False",
      reason: "HealthCheckFailed",
      message,
    });
    expect(obj.status.lastAppliedRevision).toBeUndefined();
  });

  it("a rule that does not parse stalls the Kustomization with InvalidCELExpression, applying nothing", async () => {
    await harness.createKs("invalid", {
      sourceRef: source,
      path: "./plain",
      wait: true,
      healthCheckExprs: [{ ...gizmoHealth, current: "status.phase ==" }],
    });
    const obj = await harness.condition("invalid", "Stalled", "True", "InvalidCELExpression");
    expect(conditionOf(obj, "Ready")).toMatchObject({ status: "False", reason: "InvalidCELExpression" });
    expect(conditionOf(obj, "Ready")?.message).toMatch(
      new RegExp(
        `^${PREFIX}failed to create custom status evaluator for healthchecks\\[0\\]: failed to parse the expression Current: failed to parse the CEL expression 'status.phase ==': `,
      ),
    );
    expect(obj.status.observedGeneration).toBe(obj.metadata.generation);
    expect(obj.status.inventory).toBeUndefined();
  });
});

describe("dependsOn[].readyExpr (issue 15)", () => {
  it("blocks while the expression is false, then lets through a dependency the built-in rule would refuse", async () => {
    // The dependency fails (its path does not exist), so it is never Ready=True.
    await harness.createKs("dep", { sourceRef: source, path: "./missing" });
    await harness.condition("dep", "Ready", "False", "ArtifactFailed");
    const readyExpr =
      "has(dep.metadata.labels) && 'release' in dep.metadata.labels && dep.metadata.labels['release'] == 'go' && self.metadata.name == 'gated'";
    await harness.createKs("gated", {
      sourceRef: source,
      path: "./gated",
      dependsOn: [{ name: "dep", readyExpr }],
    });
    const blocked = await harness.condition("gated", "Ready", "False", "DependencyNotReady");
    expect(conditionOf(blocked, "Ready")?.message).toBe(
      `dependency '${ns()}/dep' is not ready according to readyExpr eval; fix: spec.dependsOn[].readyExpr is false for Kustomization ${ns()}/dep: change that one, or the expression; this Kustomization checks again every 1s`,
    );
    expect(blocked.status.inventory).toBeUndefined();
    await kubectlOk(["label", "kustomization", "dep", "-n", ns(), "release=go"]);
    const passed = await harness.condition("gated", "Ready", "True", "ReconciliationSucceeded");
    expect(passed.status.inventory.entries.map((e: { id: string }) => e.id)).toEqual([
      `${ns()}_gated__ConfigMap`,
    ]);
    // dep keeps retrying its failing path, and each retry shows Ready=Unknown while it runs (as
    // Flux's does): wait for the result of a finished attempt instead of reading one mid-retry.
    const dep = await harness.condition("dep", "Ready", "False", "ArtifactFailed");
    assertKstatusRules(dep);
  });

  it("a readyExpr that does not compile stalls with InvalidCELExpression", async () => {
    await harness.createKs("bad-expr", {
      sourceRef: source,
      path: "./gated",
      dependsOn: [{ name: "dep", readyExpr: "dep.spec.suspend" }],
    });
    const obj = await harness.condition("bad-expr", "Stalled", "True", "InvalidCELExpression");
    expect(conditionOf(obj, "Ready")?.message).toBe(
      `${PREFIX}failed to evaluate dependency dep: CEL expression output type mismatch: expected bool, got dyn`,
    );
  });
});
