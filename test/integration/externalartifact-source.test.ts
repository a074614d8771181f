/**
 * Issue 16, item 2, on the real control plane: a Kustomization whose source is an ExternalArtifact
 * written by a third-party producer (this test: an object whose status it patches, and a tarball
 * on its own HTTP server), with the real controller started in process and Flux's
 * `ExternalArtifact` feature gate on. The artifact is downloaded and applied, a digest that does
 * not match the file fails with both digests named, and a new revision is followed at once.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import type { Artifact } from "../../src/api/index.js";
import { ArtifactServer } from "../../src/kustomization/test-fakes.js";
import { type OwnedController, startOwnedController } from "../support/in-process-controller.js";
import { assertKstatusRules } from "../support/kustomization-harness.js";
import {
  kubectlOk,
  randomSuffix,
  readObject,
  useTestNamespace,
  waitForCondition,
  waitForObject,
} from "../support/kube.js";

const ns = useTestNamespace("ea-source");
const shard = `ea-${randomSuffix()}`;
const EA = { apiVersion: "source.toolkit.fluxcd.io/v1", kind: "ExternalArtifact" } as const;
const KS = { apiVersion: "kustomize.toolkit.fluxcd.io/v1", kind: "Kustomization" } as const;
const producer = new ArtifactServer();
let controller: OwnedController | undefined;

const configMap = (name: string, value: string): string =>
  stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name }, data: { value } });

/** Creates or updates ExternalArtifact `name` with `artifact` in its status, as a producer does. */
async function publish(name: string, artifact: Artifact): Promise<void> {
  const spec = { sourceRef: { apiVersion: "example.com/v1", kind: "Producer", name: "test" } };
  await kubectlOk(["apply", "-f", "-"], stringify({ ...EA, metadata: { name, namespace: ns() }, spec }));
  const now = new Date().toISOString().replace(/\.\d+Z$/, "Z");
  const status = {
    artifact,
    conditions: [
      {
        type: "Ready",
        status: "True",
        reason: "Succeeded",
        message: `stored artifact for revision '${artifact.revision}'`,
        lastTransitionTime: now,
        observedGeneration: 1,
      },
    ],
  };
  await kubectlOk([
    "patch",
    "externalartifact",
    name,
    "-n",
    ns(),
    "--subresource=status",
    "--type=merge",
    "-p",
    JSON.stringify({ status }),
  ]);
}

async function createKs(name: string, source: string): Promise<void> {
  const metadata = { name, namespace: ns(), labels: { "sharding.fluxcd.io/key": shard } };
  const spec = {
    interval: "1h",
    prune: true,
    path: "./",
    targetNamespace: ns(),
    sourceRef: { kind: "ExternalArtifact", name: source },
  };
  await kubectlOk(["apply", "-f", "-"], stringify({ ...KS, metadata, spec }));
}

const ksRef = (name: string) => ({ ...KS, name, namespace: ns() });

beforeAll(async () => {
  await producer.start();
  controller = await startOwnedController({
    shard,
    instance: "ea-source-test",
    flags: { featureGates: "ExternalArtifact=true" },
  });
}, 60_000);

afterAll(async () => {
  await controller?.stop();
  producer.stop();
});

describe("Kustomization on an ExternalArtifact (issue 16)", () => {
  it("applies the artifact, then follows a new revision at once", async () => {
    await publish(
      "app",
      await producer.publish("app-1", "v1@sha256:aaaa", { "cm.yaml": configMap("app", "one") }),
    );
    await createKs("app", "app");
    const ready = await waitForCondition(ksRef("app"), "Ready", "True", { timeoutMs: 60_000 });
    assertKstatusRules(ready);
    expect(ready).toMatchObject({ status: { lastAppliedRevision: "v1@sha256:aaaa" } });
    const cm = await readObject({ apiVersion: "v1", kind: "ConfigMap", name: "app", namespace: ns() });
    expect(cm).toMatchObject({ data: { value: "one" } });

    // The Kustomization's interval is an hour: only the watch on ExternalArtifacts can bring this.
    await publish(
      "app",
      await producer.publish("app-2", "v2@sha256:bbbb", { "cm.yaml": configMap("app", "two") }),
    );
    const next = await waitForObject(
      ksRef("app"),
      (o) =>
        (o as { status?: { lastAppliedRevision?: string } }).status?.lastAppliedRevision === "v2@sha256:bbbb",
      { timeoutMs: 60_000 },
    );
    assertKstatusRules(next);
    await waitForObject(
      { apiVersion: "v1", kind: "ConfigMap", name: "app", namespace: ns() },
      (o) => (o as { data?: { value?: string } }).data?.value === "two",
    );
  }, 150_000);

  it("a digest that does not match the file fails clearly, and nothing is applied", async () => {
    const artifact = await producer.publish("bad", "v1@sha256:cccc", { "cm.yaml": configMap("bad", "x") });
    const wrong = `sha256:${"0".repeat(64)}`;
    await publish("bad", { ...artifact, digest: wrong });
    await createKs("bad", "bad");
    const failed = await waitForCondition(ksRef("bad"), "Ready", "False", {
      reason: "ArtifactFailed",
      timeoutMs: 60_000,
    });
    assertKstatusRules(failed);
    const message = (
      failed as { status?: { conditions?: { type: string; message: string }[] } }
    ).status?.conditions?.find((c) => c.type === "Ready")?.message;
    expect(message).toBe(
      `failed to verify artifact: computed digest '${artifact.digest}' doesn't match '${wrong}'`,
    );
    expect(
      await readObject({ apiVersion: "v1", kind: "ConfigMap", name: "bad", namespace: ns() }),
    ).toBeUndefined();
  }, 120_000);
});
