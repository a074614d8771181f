/**
 * Issue 15, item 1 on the real control plane: a Kustomization with a field mooring does not
 * implement (`spec.decryption.serviceAccountName`, cloud KMS workload identity) stalls with a
 * message saying so, and nothing of its source is applied. The same source without the field
 * applies, so the absence is the stall's doing.
 */
import type { KubernetesObject } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { ApplyManager } from "../../src/apply/cluster/index.js";
import { localClusters } from "../support/local-clusters.js";
import { startGitServer, type GitServer } from "../../src/dev/git-server/index.js";
import { apiEventSink } from "../../src/runtime/event-sink.js";
import { EventRecorder } from "../../src/runtime/events.js";
import { ApiKustomizationClient } from "../../src/kustomization/cluster-client.js";
import { KustomizationController } from "../../src/kustomization/controller.js";
import { kustomizationOptions } from "../../src/kustomization/options.js";
import { startSourceController, type SourceHarness } from "../../src/source/testing.js";
import {
  conditionOf,
  kubectl,
  randomSuffix,
  readObject,
  testKubeConfig,
  useTestNamespace,
  waitForCondition,
} from "../support/kube.js";

const ns = useTestNamespace("unsupported");
const suffix = randomSuffix();
const SHARD_LABEL = "mooring.test/shard";
const shard = `unsupported-${suffix}`;
const KS = { apiVersion: "kustomize.toolkit.fluxcd.io/v1", kind: "Kustomization" };
const GR = { apiVersion: "source.toolkit.fluxcd.io/v1", kind: "GitRepository" };

let git: GitServer;
let source: SourceHarness;
let apply: ApplyManager;
let controller: KustomizationController;
let recorder: EventRecorder;

async function kubectlOk(args: string[], input?: string): Promise<string> {
  const res = await kubectl(args, input);
  if (res.code !== 0) throw new Error(`kubectl ${args.join(" ")}: ${res.stderr}`);
  return res.stdout;
}

const apply$ = (obj: unknown): Promise<string> => kubectlOk(["apply", "-f", "-"], stringify(obj));

beforeAll(async () => {
  git = await startGitServer();
  const kc = testKubeConfig();
  source = await startSourceController(kc, { labelSelector: `${SHARD_LABEL}=${shard}` });
  recorder = new EventRecorder({ sink: apiEventSink(kc), component: "kustomize-controller" });
  apply = new ApplyManager(kc);
  const client = new ApiKustomizationClient(kc, (obj, e) => recorder.record(obj, e));
  const clusters = localClusters(apply);
  controller = new KustomizationController({
    kubeConfig: kc,
    client,
    apply: clusters,
    options: kustomizationOptions(),
    labelSelector: `${SHARD_LABEL}=${shard}`,
  }).start();
});

afterAll(async () => {
  await controller?.stop(true);
  await apply?.close();
  await recorder?.flush();
  await source?.stop();
  await git?.stop();
});

describe("unsupported fields stall (issue 15)", () => {
  it("spec.decryption.serviceAccountName stalls with UnsupportedField and nothing is applied", async () => {
    const repo = await git.createRepo(`remote-${suffix}`);
    const cmRef = { apiVersion: "v1", kind: "ConfigMap", name: "remote-only", namespace: ns() };
    const configMap = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "remote-only", namespace: ns() },
    };
    await repo.commit({ files: { "deploy/cm.yaml": stringify({ ...configMap, data: { k: "v" } }) } });
    await apply$({
      ...GR,
      metadata: { name: "remote", namespace: ns(), labels: { [SHARD_LABEL]: shard } },
      spec: { url: repo.url, interval: "1h", ref: { branch: "main" } },
    });
    await waitForCondition({ ...GR, name: "remote", namespace: ns() }, "Ready", "True", {
      timeoutMs: 60_000,
    });
    const spec = {
      interval: "1h",
      prune: true,
      path: "./deploy",
      sourceRef: { kind: "GitRepository", name: "remote" },
    };
    await apply$({
      ...KS,
      metadata: { name: "remote", namespace: ns(), labels: { [SHARD_LABEL]: shard } },
      spec: { ...spec, decryption: { provider: "sops", serviceAccountName: "sops-kms" } },
    });
    const ref = { ...KS, name: "remote", namespace: ns() };
    const stalled = await waitForCondition<
      {
        metadata: { generation: number };
        status: { observedGeneration: number; inventory?: { entries: unknown[] } };
      } & KubernetesObject
    >(ref, "Stalled", "True", { timeoutMs: 60_000 });
    expect(conditionOf(stalled, "Ready")).toMatchObject({ status: "False", reason: "UnsupportedField" });
    expect(conditionOf(stalled, "Ready")?.message).toMatch(
      /^spec\.decryption\.serviceAccountName \(cloud KMS workload identity\) is not supported by mooring: .*age or OpenPGP keys/,
    );
    expect(stalled.status.observedGeneration).toBe(stalled.metadata.generation);
    expect(stalled.status.inventory?.entries ?? []).toEqual([]);
    expect(await readObject(cmRef)).toBeUndefined();

    // Control: the same Kustomization without the field applies the ConfigMap.
    await apply$({
      ...KS,
      metadata: { name: "local", namespace: ns(), labels: { [SHARD_LABEL]: shard } },
      spec,
    });
    await waitForCondition({ ...KS, name: "local", namespace: ns() }, "Ready", "True", { timeoutMs: 60_000 });
    expect(await readObject(cmRef)).toBeDefined();
  }, 180_000);
});
