import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../util/kube-object.js";
import { computeStatus } from "./kstatus.js";

const NOW = Date.parse("2026-01-01T00:00:30Z");
const ctx = { now: NOW };
const mk = (
  apiVersion: string,
  kind: string,
  body: Record<string, unknown> = {},
  meta: Record<string, unknown> = {},
): KubeObject => ({
  apiVersion,
  kind,
  metadata: { name: "x", namespace: "ns", ...meta },
  ...body,
});
const cond = (type: string, status: string, reason = "", message = "") => ({ type, status, reason, message });
const status = (o: KubeObject) => computeStatus(o, ctx);

describe("generic rules", () => {
  it("reports NotFound for a missing object", () => {
    expect(computeStatus(undefined, ctx)).toEqual({ status: "NotFound", message: "Resource not found" });
  });

  it("reports Terminating when deletionTimestamp is set", () => {
    expect(status(mk("v1", "ConfigMap", {}, { deletionTimestamp: "2026-01-01T00:00:00Z" })).status).toBe(
      "Terminating",
    );
  });

  it("is InProgress while observedGeneration lags, naming both numbers", () => {
    expect(
      status(mk("example.com/v1", "Widget", { status: { observedGeneration: 1 } }, { generation: 2 })),
    ).toEqual({
      status: "InProgress",
      reason: "LatestGenerationNotObserved",
      message: "Widget generation is 2, but latest observed generation is 1",
    });
  });

  it.each([
    ["Reconciling=True", [cond("Reconciling", "True", "Progressing", "working")], "InProgress", "working"],
    ["Stalled=True", [cond("Stalled", "True", "Broken", "bad config")], "Failed", "bad config"],
    ["Ready=True", [cond("Ready", "True")], "Current", "Resource is Ready"],
    ["Ready=False", [cond("Ready", "False", "NotReady", "waiting for db")], "InProgress", "waiting for db"],
    ["Ready=Unknown", [cond("Ready", "Unknown", "Progressing", "starting")], "InProgress", "starting"],
    ["no conditions", [], "Current", "Resource is current"],
    ["other conditions only", [cond("Synced", "False")], "Current", "Resource is current"],
  ])("custom resource with %s → %s", (_name, conditions, want, message) => {
    const r = status(
      mk("example.com/v1", "Widget", { status: { observedGeneration: 3, conditions } }, { generation: 3 }),
    );
    expect(r.status).toBe(want);
    expect(r.message).toBe(message);
  });

  it("a Kustomization that is Ready but not yet observed is InProgress", () => {
    const ks = mk(
      "kustomize.toolkit.fluxcd.io/v1",
      "Kustomization",
      { status: { observedGeneration: -1, conditions: [cond("Ready", "True")] } },
      { generation: 1 },
    );
    expect(status(ks).status).toBe("InProgress");
  });

  it("Namespaces are Current unless terminating", () => {
    expect(status(mk("v1", "Namespace", { status: { phase: "Active" } })).status).toBe("Current");
    expect(
      status(mk("v1", "Namespace", { status: { phase: "Terminating" } }, { deletionTimestamp: "t" })).status,
    ).toBe("Terminating");
  });
});

describe("other built-in kinds", () => {
  it.each<[string, KubeObject, string, string]>([
    [
      "PVC bound",
      mk("v1", "PersistentVolumeClaim", { status: { phase: "Bound" } }),
      "Current",
      "PVC is Bound",
    ],
    [
      "PVC pending",
      mk("v1", "PersistentVolumeClaim", { status: { phase: "Pending" } }),
      "InProgress",
      "PVC is not Bound. phase: Pending",
    ],
    [
      "PVC without status",
      mk("v1", "PersistentVolumeClaim"),
      "InProgress",
      "PVC is not Bound. phase: unknown",
    ],
    ["Service ClusterIP", mk("v1", "Service", { spec: {} }), "Current", "Service is ready"],
    [
      "LoadBalancer without clusterIP",
      mk("v1", "Service", { spec: { type: "LoadBalancer" } }),
      "InProgress",
      "ClusterIP not set. Service type: LoadBalancer",
    ],
    [
      "LoadBalancer with clusterIP (no external IP needed)",
      mk("v1", "Service", { spec: { type: "LoadBalancer", clusterIP: "10.0.0.1" } }),
      "Current",
      "Service is ready",
    ],
    ["ConfigMap", mk("v1", "ConfigMap"), "Current", "Resource is always ready"],
    ["Secret", mk("v1", "Secret"), "Current", "Resource is always ready"],
    ["CronJob", mk("batch/v1", "CronJob"), "Current", "Resource is always ready"],
    ["PDB", mk("policy/v1", "PodDisruptionBudget"), "Current", "AllowedDisruptions has been computed."],
  ])("%s → %s", (_name, obj, want, message) => {
    expect(status(obj)).toMatchObject({ status: want, message });
  });
});

describe("CustomResourceDefinition", () => {
  const crd = (conditions: unknown[]) =>
    mk("apiextensions.k8s.io/v1", "CustomResourceDefinition", { status: { conditions } });
  it.each<[string, unknown[], string, string]>([
    [
      "established",
      [cond("NamesAccepted", "True"), cond("Established", "True")],
      "Current",
      "CRD is established",
    ],
    [
      "installing",
      [cond("Established", "False", "Installing", "installing")],
      "InProgress",
      "Install in progress",
    ],
    ["no conditions", [], "InProgress", "Install in progress"],
    [
      "names not accepted",
      [cond("NamesAccepted", "False", "MultipleNamesNotAllowed", "conflict")],
      "Failed",
      "conflict",
    ],
    ["not established", [cond("Established", "False", "Other", "broken")], "Failed", "broken"],
  ])("%s → %s", (_name, conditions, want, message) => {
    expect(status(crd(conditions))).toMatchObject({ status: want, message });
  });
});
