/**
 * Issue 16: a Kustomization resolves its source through the one table of source kinds. An
 * ExternalArtifact is consumed like any source when Flux's `ExternalArtifact` gate is on, and
 * stalls with Flux's AccessDenied wording when it is off; a kind mooring has no controller for
 * stalls with a message that names the kinds it does support.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Artifact } from "../api/index.js";
import { kustomizationOptions } from "./options.js";
import { KustomizationReconciler } from "./reconciler.js";
import { ArtifactServer, FakeApply, FakeClient, testContext, testKustomization } from "./test-fakes.js";

const server = new ArtifactServer();
beforeAll(() => server.start());
afterAll(() => server.stop());

const cm = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  namespace: apps\ndata:\n  k: v\n";

let client: FakeClient;
let apply: FakeApply;

function setExternalArtifact(artifact: Artifact): void {
  client.sources.set("ExternalArtifact/flux/out", {
    apiVersion: "source.toolkit.fluxcd.io/v1",
    kind: "ExternalArtifact",
    metadata: { name: "out", namespace: "flux" },
    status: { artifact },
  });
}

const reconciler = (allowExternalArtifact: boolean): KustomizationReconciler =>
  new KustomizationReconciler({
    client,
    apply,
    options: kustomizationOptions({ jitterPercent: 0, allowExternalArtifact }),
  });
const cond = (type: string) => client.get("flux", "app").status?.conditions?.find((c) => c.type === type);
const reconcile = (rec: KustomizationReconciler) =>
  rec.reconcile({ namespace: "flux", name: "app" }, testContext());

beforeEach(() => {
  client = new FakeClient();
  apply = new FakeApply();
});

describe("Kustomization sources by kind (issue 16)", () => {
  it("ExternalArtifact with the gate on: downloaded, verified and applied like a GitRepository's", async () => {
    setExternalArtifact(await server.publish("ea1", "latest@sha256:1111", { "deploy/cm.yaml": cm }));
    client.put(testKustomization("app", { sourceRef: { kind: "ExternalArtifact", name: "out" } }));
    await reconcile(reconciler(true));
    expect(cond("Ready")).toMatchObject({ status: "True", message: "Applied revision: latest@sha256:1111" });
    expect(client.get("flux", "app").status?.lastAppliedRevision).toBe("latest@sha256:1111");
  });

  it("ExternalArtifact with the gate off: Stalled AccessDenied in Flux's words, nothing fetched or applied", async () => {
    setExternalArtifact(await server.publish("ea2", "latest@sha256:2222", { "deploy/cm.yaml": cm }));
    client.put(testKustomization("app", { sourceRef: { kind: "ExternalArtifact", name: "out" } }));
    expect(await reconcile(reconciler(false))).toEqual({ kind: "done" });
    const message = "can't access 'ExternalArtifact/flux/out', ExternalArtifact feature gate is disabled";
    expect(cond("Stalled")).toMatchObject({ status: "True", reason: "AccessDenied", message });
    expect(cond("Ready")).toMatchObject({ status: "False", reason: "AccessDenied", message });
    expect(apply.calls).toEqual([]);
  });

  it("ExternalArtifact whose digest does not match its file: ArtifactFailed naming both digests", async () => {
    const artifact = await server.publish("ea3", "latest@sha256:3333", { "deploy/cm.yaml": cm });
    setExternalArtifact({ ...artifact, digest: `sha256:${"0".repeat(64)}` });
    client.put(testKustomization("app", { sourceRef: { kind: "ExternalArtifact", name: "out" } }));
    await reconcile(reconciler(true));
    expect(cond("Ready")).toMatchObject({ status: "False", reason: "ArtifactFailed" });
    expect(cond("Ready")?.message).toContain(`doesn't match 'sha256:${"0".repeat(64)}'`);
    expect(apply.calls).toEqual([]);
  });

  it("Bucket: Stalled, the message names the kinds mooring implements", async () => {
    client.put(testKustomization("app", { sourceRef: { kind: "Bucket", name: "b" } }));
    expect(await reconcile(reconciler(true))).toEqual({ kind: "done" });
    expect(cond("Stalled")).toMatchObject({ status: "True", reason: "ArtifactFailed" });
    expect(cond("Stalled")?.message).toMatch(
      /^spec\.sourceRef\.kind \(.*Bucket.*\) is not supported by mooring: the source kinds mooring implements are GitRepository, .*ExternalArtifact/,
    );
  });
});
