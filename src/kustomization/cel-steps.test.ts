import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Kustomization } from "../api/index.js";
import { kustomizationOptions } from "./options.js";
import { KustomizationReconciler } from "./reconciler.js";
import { ArtifactServer, FakeApply, FakeClient, testContext, testKustomization } from "./test-fakes.js";

const server = new ArtifactServer();
beforeAll(() => server.start());
afterAll(() => server.stop());

const widgetYaml = "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n  namespace: apps\n";
const PREFIX = "Reconciliation failed terminally due to configuration error: ";

function ks(
  name: string,
  spec: Partial<Kustomization["spec"]> = {},
  ready: "True" | "False" = "True",
): Kustomization {
  const condition = {
    type: "Ready",
    status: ready,
    reason: "R",
    message: "",
    lastTransitionTime: "2026-01-01T00:00:00Z",
  };
  return { ...testKustomization(name, spec), status: { observedGeneration: 1, conditions: [condition] } };
}

let client: FakeClient;
let apply: FakeApply;
const reconciler = (additive = false) =>
  new KustomizationReconciler({
    client,
    apply,
    options: kustomizationOptions({ jitterPercent: 0, additiveCELDependencyCheck: additive }),
  });
const reconcile = (additive = false) =>
  reconciler(additive).reconcile({ namespace: "flux", name: "app" }, testContext());
const ready = () => client.get("flux", "app").status?.conditions?.find((c) => c.type === "Ready");
const stalled = () => client.get("flux", "app").status?.conditions?.find((c) => c.type === "Stalled");

beforeEach(async () => {
  client = new FakeClient();
  apply = new FakeApply();
  const artifact = await server.publish(`c${Math.random()}`, "main@sha1:1", { "deploy/w.yaml": widgetYaml });
  client.sources.set("GitRepository/flux/repo", {
    apiVersion: "source.toolkit.fluxcd.io/v1",
    kind: "GitRepository",
    metadata: { name: "repo", namespace: "flux" },
    status: { artifact },
  });
});

describe("healthCheckExprs in the reconciler (issue 15)", () => {
  it("hands the compiled rules to the health wait", async () => {
    const rule = { apiVersion: "example.com/v1", kind: "Widget", current: "status.ok == true" };
    client.put(ks("app", { wait: true, healthCheckExprs: [rule] }));
    await reconcile();
    expect(apply.calls).toContain("health Widget/w");
    const custom = apply.healthOptions[0]?.custom;
    const widget = {
      apiVersion: "example.com/v1",
      kind: "Widget",
      metadata: { name: "w" },
      status: { ok: true },
    };
    expect(custom?.statusOf(widget)?.status).toBe("Current");
    expect(ready()?.status).toBe("True");
  });

  it("stalls with InvalidCELExpression before anything is applied when a rule does not parse", async () => {
    const rule = { apiVersion: "example.com/v1", kind: "Widget", current: "status.ok ==" };
    client.put(ks("app", { wait: true, healthCheckExprs: [rule] }));
    expect(await reconcile()).toEqual({ kind: "done" });
    expect(apply.calls).toEqual([]);
    expect(stalled()).toMatchObject({ status: "True", reason: "InvalidCELExpression" });
    expect(ready()).toMatchObject({ status: "False", reason: "InvalidCELExpression" });
    expect(ready()?.message).toMatch(
      new RegExp(
        `^${PREFIX}failed to create custom status evaluator for healthchecks\\[0\\]: failed to parse the expression Current: `,
      ),
    );
    expect(client.get("flux", "app").status?.observedGeneration).toBe(1);
  });
});

describe("dependsOn[].readyExpr in the reconciler (issue 15)", () => {
  const depReadyByLabel = "has(dep.metadata.labels) && dep.metadata.labels['ready'] == 'yes'";

  it("replaces the built-in readiness rule: a not-Ready dependency passes when readyExpr holds", async () => {
    const dep = ks("dep", {}, "False");
    dep.metadata.labels = { ready: "yes" };
    client.put(dep);
    client.put(ks("app", { dependsOn: [{ name: "dep", readyExpr: depReadyByLabel }] }));
    await reconcile();
    expect(ready()?.status).toBe("True");
  });

  it("blocks with DependencyNotReady while readyExpr is false", async () => {
    client.put(ks("dep"));
    client.put(ks("app", { dependsOn: [{ name: "dep", readyExpr: depReadyByLabel }] }));
    expect(await reconcile()).toEqual({ kind: "requeue-after", afterMs: 30_000 });
    expect(ready()).toMatchObject({
      status: "False",
      reason: "DependencyNotReady",
      message:
        "dependency 'flux/dep' is not ready according to readyExpr eval; fix: spec.dependsOn[].readyExpr is false for Kustomization flux/dep: change that one, or the expression; this Kustomization checks again every 30s",
    });
    expect(apply.calls).toEqual([]);
  });

  it("with AdditiveCELDependencyCheck, also requires the built-in rule", async () => {
    const dep = ks("dep", {}, "False");
    dep.metadata.labels = { ready: "yes" };
    client.put(dep);
    client.put(ks("app", { dependsOn: [{ name: "dep", readyExpr: depReadyByLabel }] }));
    await reconcile(true);
    expect(ready()).toMatchObject({
      reason: "DependencyNotReady",
      message:
        "dependency 'flux/dep' is not ready; fix: Kustomization flux/dep is Ready=False (R): fix that one first; this Kustomization checks again every 30s",
    });
  });

  it("sees this Kustomization as self", async () => {
    client.put(ks("dep", {}, "False"));
    client.put(
      ks("app", {
        dependsOn: [{ name: "dep", readyExpr: "self.metadata.name == 'app' && dep.metadata.name == 'dep'" }],
      }),
    );
    await reconcile();
    expect(ready()?.status).toBe("True");
  });

  it("an evaluation error is a dependency not ready, with the evaluator's message", async () => {
    client.put(ks("dep"));
    client.put(ks("app", { dependsOn: [{ name: "dep", readyExpr: "dep.spec.missing == 1" }] }));
    await reconcile();
    expect(ready()).toMatchObject({ reason: "DependencyNotReady" });
    expect(ready()?.message).toMatch(/^failed to evaluate the CEL expression 'dep.spec.missing == 1': /);
  });

  it("stalls with InvalidCELExpression when readyExpr does not compile", async () => {
    client.put(ks("dep"));
    client.put(ks("app", { dependsOn: [{ name: "dep", readyExpr: "dep.spec.suspend" }] }));
    expect(await reconcile()).toEqual({ kind: "done" });
    expect(stalled()).toMatchObject({ status: "True", reason: "InvalidCELExpression" });
    expect(ready()?.message).toBe(
      `${PREFIX}failed to evaluate dependency dep: CEL expression output type mismatch: expected bool, got dyn`,
    );
  });
});
