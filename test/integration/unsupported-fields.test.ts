/**
 * Issue 15, item 1 on the real control plane: a Kustomization with a field mooring does not
 * implement (`spec.decryption.serviceAccountName`, cloud KMS workload identity) stalls with a
 * message saying so, and nothing of its source is applied. The same source without the field
 * applies, so the absence is the stall's doing.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { KustomizationHarness } from "../support/kustomization-harness.js";
import { conditionOf, randomSuffix, readObject, useTestNamespace } from "../support/kube.js";

const ns = useTestNamespace("unsupported");
let harness: KustomizationHarness;

beforeAll(async () => {
  harness = await KustomizationHarness.start(ns);
});

afterAll(async () => {
  await harness?.stop();
});

describe("unsupported fields stall (issue 15)", () => {
  it("spec.decryption.serviceAccountName stalls with UnsupportedField and nothing is applied", async () => {
    const repo = await harness.git.createRepo(`remote-${randomSuffix()}`);
    const cmRef = { apiVersion: "v1", kind: "ConfigMap", name: "remote-only", namespace: ns() };
    const configMap = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "remote-only", namespace: ns() },
      data: { k: "v" },
    };
    await repo.commit({ files: { "deploy/cm.yaml": stringify(configMap) } });
    await harness.createSource(repo, "remote");
    const spec = { path: "./deploy", sourceRef: { kind: "GitRepository", name: "remote" } };
    await harness.createKs("remote", {
      ...spec,
      decryption: { provider: "sops", serviceAccountName: "sops-kms" },
    });
    const stalled = await harness.condition("remote", "Stalled", "True");
    expect(conditionOf(stalled, "Ready")).toMatchObject({ status: "False", reason: "UnsupportedField" });
    expect(conditionOf(stalled, "Ready")?.message).toMatch(
      /^spec\.decryption\.serviceAccountName \(cloud KMS workload identity\) is not supported by mooring: .*age or OpenPGP keys/,
    );
    expect(stalled.status.observedGeneration).toBe(stalled.metadata.generation);
    expect(stalled.status.inventory?.entries ?? []).toEqual([]);
    expect(await readObject(cmRef)).toBeUndefined();

    // Control: the same Kustomization without the field applies the ConfigMap.
    await harness.createKs("local", spec);
    await harness.condition("local", "Ready", "True");
    expect(await readObject(cmRef)).toBeDefined();
  }, 180_000);
});
