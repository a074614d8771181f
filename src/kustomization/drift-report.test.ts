/**
 * Issue 20 item 2: what the reconciler makes of the drift the apply layer reports: the
 * `DriftCorrected` event, the metric, `status.mooring.driftCorrections` (newest first, capped), the
 * `Drifted` condition for detect-only drift, and Stalled for a bad `mooring.dev/drift` value.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Kustomization } from "../api/index.js";
import type { ObjectDrift } from "../apply/cluster/types.js";
import { createMetricsRegistry, DriftMetrics } from "../runtime/metrics.js";
import type { Registry } from "prom-client";
import { kustomizationOptions } from "./options.js";
import { KustomizationReconciler } from "./reconciler.js";
import { describeDrift } from "./drift-report.js";
import { ArtifactServer, FakeApply, FakeClient, testContext, testKustomization } from "./test-fakes.js";

const server = new ArtifactServer();
beforeAll(() => server.start());
afterAll(() => server.stop());

const cm = (name: string, annotations = ""): string =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: apps\n${annotations}data:\n  k: v\n`;

let client: FakeClient;
let apply: FakeApply;
let registry: Registry;
let rec: KustomizationReconciler;

const drifted = (name: string, corrected: boolean, managers = ["kubectl-edit"]): ObjectDrift => ({
  object: { group: "", version: "v1", kind: "ConfigMap", namespace: "apps", name },
  fields: ["data.k"],
  managers,
  corrected,
});

const reconcile = () => rec.reconcile({ namespace: "flux", name: "app" }, testContext());
const status = () => client.get("flux", "app").status;
const cond = (type: string) => status()?.conditions?.find((c) => c.type === type);

beforeEach(async () => {
  client = new FakeClient();
  apply = new FakeApply();
  registry = createMetricsRegistry({ processMetrics: false });
  rec = new KustomizationReconciler({
    client,
    apply,
    options: kustomizationOptions({ jitterPercent: 0 }),
    driftMetrics: new DriftMetrics(registry),
  });
  const artifact = await server.publish(`d${Math.random()}`, "main@sha1:1", { "deploy/a.yaml": cm("a") });
  client.sources.set("GitRepository/flux/repo", {
    apiVersion: "source.toolkit.fluxcd.io/v1",
    kind: "GitRepository",
    metadata: { name: "repo", namespace: "flux" },
    status: { artifact },
  });
});

const withAnnotation = (value: string): Kustomization => {
  const ks = testKustomization("app");
  ks.metadata.annotations = { "mooring.dev/drift": value };
  return ks;
};

describe("drift audit", () => {
  it("reports a correction as an event, a metric and a status entry, newest first and capped at 10", async () => {
    client.put(testKustomization("app"));
    apply.drift = [drifted("a", true)];
    await reconcile();
    expect(client.events).toContainEqual(
      expect.objectContaining({
        type: "Normal",
        reason: "DriftCorrected",
        message: "Drift corrected:\nConfigMap/apps/a: data.k changed by kubectl-edit",
      }),
    );
    expect(await registry.metrics()).toContain(
      'mooring_drift_corrections_total{kind="ConfigMap",namespace="apps"} 1',
    );
    expect(status()?.mooring?.driftCorrections).toEqual([
      {
        time: expect.any(String),
        apiVersion: "v1",
        kind: "ConfigMap",
        namespace: "apps",
        name: "a",
        fields: ["data.k"],
        managers: ["kubectl-edit"],
        revision: "main@sha1:1",
      },
    ]);
    for (let i = 0; i < 12; i++) {
      apply.drift = [drifted(`n${i}`, true)];
      await rec.reconcile({ namespace: "flux", name: "app" }, testContext());
    }
    const kept = status()?.mooring?.driftCorrections ?? [];
    expect(kept.map((c) => c.name)).toEqual(["n11", "n10", "n9", "n8", "n7", "n6", "n5", "n4", "n3", "n2"]);
    expect(cond("Ready")?.status).toBe("True");
    expect(cond("Drifted")).toBeUndefined();
  });

  it("sets Drifted for detect-only drift, warns once per change, and clears it when it is gone", async () => {
    client.put(withAnnotation("detect"));
    apply.drift = [drifted("a", false)];
    await reconcile();
    expect(apply.lastOptions?.driftMode).toBe("detect");
    expect(cond("Drifted")).toMatchObject({ status: "True", reason: "DriftDetected" });
    expect(cond("Drifted")?.message).toContain("ConfigMap/apps/a: data.k changed by kubectl-edit");
    expect(cond("Ready")?.status).toBe("True");
    const warnings = () => client.events.filter((e) => e.reason === "DriftDetected" && e.type === "Warning");
    expect(warnings()).toHaveLength(1);
    await reconcile();
    expect(warnings()).toHaveLength(1);
    expect(status()?.mooring?.driftCorrections).toBeUndefined();
    expect(await registry.metrics()).not.toContain("mooring_drift_corrections_total{");
    apply.drift = [];
    await reconcile();
    expect(cond("Drifted")).toBeUndefined();
  });

  it.each([
    ["on the Kustomization", () => Promise.resolve(client.put(withAnnotation("sometimes")))],
    [
      "on a manifest",
      async () => {
        const artifact = await server.publish("bad", "main@sha1:2", {
          "deploy/a.yaml": cm("a", "  annotations:\n    mooring.dev/drift: Off\n"),
        });
        client.sources.set("GitRepository/flux/repo", {
          apiVersion: "source.toolkit.fluxcd.io/v1",
          kind: "GitRepository",
          metadata: { name: "repo", namespace: "flux" },
          status: { artifact },
        });
        client.put(testKustomization("app"));
      },
    ],
  ])("stalls on an invalid mooring.dev/drift value %s, applying nothing", async (_where, setUp) => {
    await setUp();
    await reconcile();
    expect(cond("Stalled")).toMatchObject({ status: "True", reason: "InvalidAnnotation" });
    expect(cond("Ready")).toMatchObject({ status: "False", reason: "InvalidAnnotation" });
    expect(cond("Ready")?.message).toMatch(/mooring\.dev\/drift: "(sometimes|Off)"; use "detect"/);
    expect(apply.calls).not.toContain("apply");
  });

  it("lists at most 5 fields per object and says who when unknown", () => {
    const d = { ...drifted("a", true, []), fields: ["a", "b", "c", "d", "e", "f", "g"] };
    expect(describeDrift(d)).toBe(
      "ConfigMap/apps/a: a, b, c, d, e and 2 more fields changed by an unknown field manager",
    );
  });
});
