/**
 * Issue 16, item 1: a Kustomization with `sourceRef.kind: OCIRepository` applies the artifact's
 * manifests, records the OCI revision and the origin revision the artifact names, and follows a
 * new digest pushed behind the tag (the source watch, not the Kustomization's interval). The
 * registry is CNCF distribution on 127.0.0.1; the artifact is pushed by a plain OCI client in
 * `flux push artifact`'s layout.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRegistry, type Registry } from "../../src/dev/oci-registry/registry.js";
import { KS, KustomizationHarness, OCI } from "../support/kustomization-harness.js";
import { kubectlOk, readObject, useTestNamespace, waitForObject } from "../support/kube.js";
import { pushFiles, registryBinaries } from "../support/oci.js";

const ns = useTestNamespace("ocirepo-ks");
let registry: Registry;
let h: KustomizationHarness;

const CM = (value: string): string =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-oci\ndata:\n  value: "${value}"\n`;
const ORIGIN = "main@sha1:2222222222222222222222222222222222222222";

beforeAll(async () => {
  registry = await startRegistry(await registryBinaries());
  h = await KustomizationHarness.start(ns);
});

afterAll(async () => {
  await h?.stop();
  await registry?.stop();
});

describe("Kustomization on an OCIRepository (issue 16)", () => {
  it("applies the artifact, records the revision and origin revision, and follows a new digest", async () => {
    const target = { host: registry.host, repository: "apps/site" };
    const first = await pushFiles(
      target,
      "latest",
      { "deploy/cm.yaml": CM("one") },
      {
        "org.opencontainers.image.source": "https://example.com/site.git",
        "org.opencontainers.image.revision": ORIGIN,
      },
    );
    await h.createOciRepository("site", { url: `oci://${registry.host}/apps/site` });
    await h.createKs("site", {
      sourceRef: { kind: "OCIRepository", name: "site" },
      path: "./deploy",
      targetNamespace: ns(),
    });
    const ks = await h.condition("site", "Ready", "True");
    expect(ks.status.lastAppliedRevision).toBe(`latest@${first}`);
    expect(ks.status.lastAppliedOriginRevision).toBe(ORIGIN);
    const cm = (await readObject({
      apiVersion: "v1",
      kind: "ConfigMap",
      namespace: ns(),
      name: "from-oci",
    })) as {
      data?: Record<string, string>;
    };
    expect(cm.data?.value).toBe("one");

    const second = await pushFiles(target, "latest", { "deploy/cm.yaml": CM("two") });
    await kubectlOk([
      "annotate",
      "--overwrite",
      "-n",
      ns(),
      "ocirepository",
      "site",
      `reconcile.fluxcd.io/requestedAt=${Date.now()}`,
    ]);
    await waitForObject(
      { ...OCI, namespace: ns(), name: "site" },
      (o) =>
        (o as { status?: { artifact?: { revision?: string } } }).status?.artifact?.revision ===
        `latest@${second}`,
    );
    const applied = await waitForObject(
      { apiVersion: "v1", kind: "ConfigMap", namespace: ns(), name: "from-oci" },
      (o) => (o as { data?: Record<string, string> }).data?.value === "two",
    );
    expect(applied).toBeDefined();
    const after = await waitForObject(
      { ...KS, namespace: ns(), name: "site" },
      (o) =>
        (o as { status?: { lastAppliedRevision?: string } }).status?.lastAppliedRevision ===
        `latest@${second}`,
    );
    expect(after).toBeDefined();
  });
});
