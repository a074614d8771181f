/**
 * Issue 17, item 3, on the real control plane: `--kube-api-qps`/`--kube-api-burst` limit the
 * controller's requests, and one Kustomization with many objects does not starve small ones. With
 * 10 requests per second, the big Kustomization needs at least 30 s of tokens for its applies
 * alone; the small ones, created just after it, must all become Ready while it is still applying,
 * without a single failed request. The limiter's metric shows the flags took effect (without them
 * no request would ever wait). Scaled down from the 10,000 objects beside 50 small
 * Kustomizations so that it runs in CI; the same queue serves both sizes (bench S9 runs them).
 *
 * As in Flux, the limit applies only to API servers without API Priority and Fairness: the
 * controller talks to the real API server through a proxy that hides APF's response headers.
 * Straight to the API server (APF on by default) the controller detects APF and limits nothing.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KubeConfig } from "@kubernetes/client-node";
import { stringify } from "yaml";
import { startGitServer, type GitServer } from "../../src/dev/git-server/index.js";
import type { RunningController } from "../../src/main.js";
import { serverHasPriorityAndFairness } from "../../src/runtime/flow-control.js";
import { startInProcessController } from "../support/in-process-controller.js";
import {
  kubectl,
  kubectlOk,
  randomSuffix,
  readObject,
  testKubeConfig,
  useTestNamespace,
  waitForCondition,
} from "../support/kube.js";
import { type GatedApiProxy, startGatedApiProxy } from "./runtime-support/gated-api-proxy.js";

const ns = useTestNamespace("rate-limit");
const shard = `rate-${randomSuffix()}`;
const labels = { "sharding.fluxcd.io/key": shard };
const GR = { apiVersion: "source.toolkit.fluxcd.io/v1", kind: "GitRepository" };
const KS = { apiVersion: "kustomize.toolkit.fluxcd.io/v1", kind: "Kustomization" };
const BIG = 300;
const SMALL = 5;
const stop = new AbortController();
let running: RunningController | undefined;
let git: GitServer | undefined;
let storage = "";
let proxy: GatedApiProxy | undefined;

const configMap = (name: string): string =>
  stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name }, data: { k: name } });

async function apply(obj: object): Promise<void> {
  const res = await kubectl(["apply", "-f", "-"], stringify(obj));
  if (res.code !== 0) throw new Error(res.stderr);
}

const kustomization = (name: string, path: string) => ({
  ...KS,
  metadata: { name, namespace: ns(), labels },
  spec: {
    sourceRef: { kind: "GitRepository", name: "src" },
    path,
    targetNamespace: ns(),
    prune: true,
    interval: "1h",
  },
});

async function readyOf(name: string): Promise<string | undefined> {
  const ks = (await readObject({ ...KS, name, namespace: ns() })) as
    { status?: { conditions?: { type: string; status: string }[] } } | undefined;
  return ks?.status?.conditions?.find((c) => c.type === "Ready")?.status;
}

async function metric(name: string): Promise<number> {
  const port = running?.manager.ports.metrics;
  const text = await (await fetch(`http://127.0.0.1:${String(port)}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith(`${name} `));
  return line === undefined ? 0 : Number(line.split(" ").at(-1));
}

beforeAll(async () => {
  storage = await mkdtemp(join(tmpdir(), "rate-limit-storage-"));
  git = await startGitServer();
  const repo = await git.createRepo(`rate-${randomSuffix()}`, { defaultBranch: "main" });
  const files: Record<string, string> = {};
  for (let i = 0; i < BIG; i++) files[`big/cm-${i}.yaml`] = configMap(`big-${i}`);
  for (let i = 0; i < SMALL; i++) files[`small-${i}/cm.yaml`] = configMap(`small-${i}`);
  await repo.commit({ files });
  proxy = await startGatedApiProxy(testKubeConfig(), storage, { hidePriorityAndFairness: true });
  ({ running } = await startInProcessController({
    storagePath: storage,
    shard,
    instance: "rate-limit-test",
    signal: stop.signal,
    flags: { kubeApiQps: "10", kubeApiBurst: "10", kubeconfig: proxy.kubeconfigPath },
  }));
  await apply({
    ...GR,
    metadata: { name: "src", namespace: ns(), labels },
    spec: { url: repo.url, interval: "1h", ref: { branch: "main" } },
  });
  await waitForCondition({ ...GR, name: "src", namespace: ns() }, "Ready", "True");
}, 120_000);

afterAll(async () => {
  stop.abort();
  await running?.done.catch(() => undefined);
  await git?.stop();
  await proxy?.close();
  await rm(storage, { recursive: true, force: true });
});

describe("client-side rate limit (issue 17)", () => {
  it("is off where the API server runs API Priority and Fairness, as in Flux", async () => {
    expect(await serverHasPriorityAndFairness(testKubeConfig())).toBe(true);
    const kc = new KubeConfig();
    kc.loadFromFile(proxy?.kubeconfigPath ?? "");
    expect(await serverHasPriorityAndFairness(kc)).toBe(false);
  });

  it("keeps small Kustomizations reconciling beside a big one, with no failed request", async () => {
    await apply(kustomization("big", "./big"));
    for (let i = 0; i < SMALL; i++) await apply(kustomization(`small-${i}`, `./small-${i}`));
    for (let i = 0; i < SMALL; i++) {
      await waitForCondition({ ...KS, name: `small-${i}`, namespace: ns() }, "Ready", "True", {
        timeoutMs: 60_000,
      });
    }
    // Every small one is done while the big one still waits for tokens for its applies.
    expect(await readyOf("big")).not.toBe("True");
    await waitForCondition({ ...KS, name: "big", namespace: ns() }, "Ready", "True", { timeoutMs: 300_000 });
    const warnings = await kubectlOk([
      "get",
      "events",
      "-n",
      ns(),
      "--field-selector=type=Warning",
      "-o",
      "jsonpath={.items[*].message}",
    ]);
    expect(warnings).toBe("");
    // The flags took effect: requests waited for the limiter.
    expect(await metric("rest_client_rate_limiter_duration_seconds_sum")).toBeGreaterThan(1);
  }, 420_000);
});
