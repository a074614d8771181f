/**
 * Issue 17, item 4, on the real control plane: the failure-backoff flags reach BOTH controllers
 * and `--http-retry` reaches the artifact download. Each case fails when its flag has no effect:
 * with Flux's default backoff (750 ms doubling) ten failed reconciles take more than six minutes,
 * with `--min-retry-delay=100ms --max-retry-delay=200ms` they take a few seconds; with the default
 * `--http-retry=9` the download message says "after 10 attempt(s)".
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { KubernetesObject } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import type { RunningController } from "../../src/main.js";
import { startInProcessController } from "../support/in-process-controller.js";
import {
  eventually,
  kubectl,
  kubectlOk,
  randomSuffix,
  useTestNamespace,
  waitForCondition,
} from "../support/kube.js";

const ns = useTestNamespace("retry-flags");
const shard = `retry-${randomSuffix()}`;
const labels = { "sharding.fluxcd.io/key": shard };
const GR = { apiVersion: "source.toolkit.fluxcd.io/v1", kind: "GitRepository" };
const KS = { apiVersion: "kustomize.toolkit.fluxcd.io/v1", kind: "Kustomization" };
/** Far more failed reconciles than Flux's default backoff allows in the waiting time below. */
const ATTEMPTS = 10;
const stop = new AbortController();
let running: RunningController | undefined;
let storage = "";

async function apply(obj: object): Promise<void> {
  const res = await kubectl(["apply", "-f", "-"], stringify(obj));
  if (res.code !== 0) throw new Error(res.stderr);
}

/** `gotk_reconcile_duration_seconds_count` of one object, as scraped from /metrics. */
async function reconcileCount(kind: string, name: string): Promise<number> {
  const port = running?.manager.ports.metrics;
  if (port === undefined) return 0;
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const line = text
    .split("\n")
    .find(
      (l) =>
        l.startsWith("gotk_reconcile_duration_seconds_count{") &&
        l.includes(`kind="${kind}"`) &&
        l.includes(`name="${name}"`) &&
        l.includes(`namespace="${ns()}"`),
    );
  return line === undefined ? 0 : Number(line.split(" ").at(-1));
}

async function waitForAttempts(kind: string, name: string): Promise<void> {
  await eventually(
    `${ATTEMPTS} failed reconciles of ${kind} ${name}`,
    async () => ((await reconcileCount(kind, name)) >= ATTEMPTS ? true : undefined),
    async () => ({ count: await reconcileCount(kind, name) }),
    { timeoutMs: 60_000 },
  );
}

beforeAll(async () => {
  storage = await mkdtemp(join(tmpdir(), "retry-flags-storage-"));
  ({ running } = await startInProcessController({
    storagePath: storage,
    shard,
    instance: "retry-flags-test",
    signal: stop.signal,
    flags: { minRetryDelay: "100ms", maxRetryDelay: "200ms", httpRetry: "1" },
  }));
}, 60_000);

afterAll(async () => {
  stop.abort();
  await running?.done.catch(() => undefined);
  await rm(storage, { recursive: true, force: true });
});

describe("retry flags reach both controllers (issue 17)", () => {
  it("--min-retry-delay/--max-retry-delay pace a failing GitRepository's retries", async () => {
    await apply({
      ...GR,
      metadata: { name: "unreachable", namespace: ns(), labels },
      spec: { url: "http://127.0.0.1:1/nothing.git", interval: "1h", timeout: "5s" },
    });
    await waitForCondition({ ...GR, name: "unreachable", namespace: ns() }, "Ready", "False");
    await waitForAttempts("GitRepository", "unreachable");
  }, 120_000);

  it("--min-retry-delay/--max-retry-delay pace a failing Kustomization's retries; --http-retry bounds each download", async () => {
    // A suspended source (never touched by the controller) whose artifact server does not answer.
    await apply({
      ...GR,
      metadata: { name: "frozen", namespace: ns(), labels },
      spec: { url: "http://127.0.0.1:1/frozen.git", interval: "1h", suspend: true },
    });
    const now = new Date().toISOString().replace(/\.\d+Z$/, "Z");
    const status = {
      status: {
        observedGeneration: 1,
        conditions: [
          {
            type: "Ready",
            status: "True",
            reason: "Succeeded",
            message: "stored",
            lastTransitionTime: now,
            observedGeneration: 1,
          },
        ],
        artifact: {
          path: "gitrepository/x/frozen/0.tar.gz",
          url: "http://127.0.0.1:1/gitrepository/x/frozen/0.tar.gz",
          revision: `main@sha1:${"a".repeat(40)}`,
          digest: `sha256:${"b".repeat(64)}`,
          lastUpdateTime: now,
          size: 10,
        },
      },
    };
    await kubectlOk([
      "patch",
      "gitrepository",
      "frozen",
      "-n",
      ns(),
      "--subresource=status",
      "--type=merge",
      "-p",
      JSON.stringify(status),
    ]);
    await apply({
      ...KS,
      metadata: { name: "on-frozen", namespace: ns(), labels },
      spec: {
        interval: "1h",
        path: "./",
        prune: true,
        sourceRef: { kind: "GitRepository", name: "frozen" },
      },
    });
    const failed = await waitForCondition<
      { status?: { conditions: { type: string; message: string }[] } } & KubernetesObject
    >({ ...KS, name: "on-frozen", namespace: ns() }, "Ready", "False", {
      timeoutMs: 60_000,
    });
    const ready = failed.status?.conditions.find((c) => c.type === "Ready");
    // --http-retry=1: the first attempt and one retry.
    expect(ready?.message).toContain("giving up after 2 attempt(s)");
    await waitForAttempts("Kustomization", "on-frozen");
  }, 120_000);
});
