/**
 * Issue 17 acceptance, on the real control plane: `mooring controller` in-process behind a proxy
 * that holds the first LIST of GitRepositories or of Kustomizations, so one controller's cache
 * cannot sync. While a list is held no worker reconciles (objects that are there get no finalizer
 * and no status) and `/readyz` is not ready; once both lists are answered, `/readyz` is ready and
 * the first write to either object comes after both watches started (the caches had synced).
 * Isolation: its own namespace, `--watch-all-namespaces=false` and a watch label per test.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { parseControllerArgs } from "../../src/cli/commands/controller.js";
import { startController, type RunningController } from "../../src/main.js";
import { createLogger } from "../../src/runtime/logging.js";
import {
  eventually,
  kubectl,
  randomSuffix,
  readObject,
  testKubeConfig,
  useTestNamespace,
} from "../support/kube.js";
import {
  listOf,
  startGatedApiProxy,
  type Gate,
  type GatedApiProxy,
} from "./runtime-support/gated-api-proxy.js";

const namespace = useTestNamespace("cache-sync");
const GR = { apiVersion: "source.toolkit.fluxcd.io/v1", kind: "GitRepository" };
const KS = { apiVersion: "kustomize.toolkit.fluxcd.io/v1", kind: "Kustomization" };
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function apply(obj: object): Promise<void> {
  const res = await kubectl(["apply", "-f", "-"], stringify(obj));
  if (res.code !== 0) throw new Error(res.stderr);
}

/** A GitRepository that stalls at once and a Kustomization on it, both under watch label `shard`. */
async function createObjects(shard: string): Promise<void> {
  const metadata = { name: shard, namespace: namespace(), labels: { "sharding.fluxcd.io/key": shard } };
  await apply({ ...GR, metadata, spec: { url: "https://bad host/repo.git", interval: "1h" } });
  await apply({
    ...KS,
    metadata,
    spec: { interval: "1h", path: "./", prune: false, sourceRef: { kind: "GitRepository", name: shard } },
  });
}

/** Starts the controller on the proxy's kubeconfig; the manager's start is not awaited. */
async function startBehind(proxy: GatedApiProxy, shard: string): Promise<RunningController> {
  const storage = await mkdtemp(join(tmpdir(), "cache-sync-"));
  const stop = new AbortController();
  const config = parseControllerArgs(
    [
      "--watch-all-namespaces=false",
      `--watch-label-selector=sharding.fluxcd.io/key=${shard}`,
      `--kubeconfig=${proxy.kubeconfigPath}`,
      `--storage-path=${storage}`,
      "--storage-addr=127.0.0.1:0",
      "--metrics-addr=127.0.0.1:0",
      "--health-addr=127.0.0.1:0",
      "--receiver-addr=127.0.0.1:0",
    ],
    { RUNTIME_NAMESPACE: namespace() },
  );
  const running = await startController(
    config,
    { inCluster: false, isTTY: false, instance: "cache-sync-test" },
    stop.signal,
    createLogger({ level: "error", encoding: "json" }),
  );
  cleanups.push(async () => {
    stop.abort();
    await running.done.catch(() => undefined);
    await rm(storage, { recursive: true, force: true });
  });
  return running;
}

/** `/readyz`'s status code. */
async function readyz(running: RunningController): Promise<number> {
  const port = await eventually("the health server", async () => running.manager.ports.health);
  return (await fetch(`http://127.0.0.1:${port}/readyz`)).status;
}

/**
 * Whether the controller has touched the object: its finalizer or a condition (the CRDs default
 * `status.observedGeneration` to -1, so an untouched object has a status too).
 */
async function touched(ref: { apiVersion: string; kind: string }, name: string): Promise<boolean> {
  const obj = (await readObject({ ...ref, name, namespace: namespace() })) as
    { metadata: { finalizers?: string[] }; status?: { conditions?: unknown[] } } | undefined;
  return (obj?.metadata.finalizers ?? []).length > 0 || (obj?.status?.conditions ?? []).length > 0;
}

/** Index in the proxy's request log of the first line matching `pattern`, -1 when none. */
const firstSeen = (proxy: GatedApiProxy, pattern: RegExp): number =>
  proxy.seen.findIndex((l) => pattern.test(l));
const watchOf = (plural: string): RegExp => new RegExp(`^GET .*/${plural}\\?.*watch=`);

async function gatedProxy(): Promise<GatedApiProxy> {
  const dir = await mkdtemp(join(tmpdir(), "cache-sync-proxy-"));
  const proxy = await startGatedApiProxy(testKubeConfig(), dir);
  cleanups.push(async () => {
    await proxy.close();
    await rm(dir, { recursive: true, force: true });
  });
  return proxy;
}

/**
 * Opens `first` and waits for its watch (that cache synced) while `second` stays held, checks
 * nothing was reconciled and /readyz is not ready, then opens `second` and checks both are
 * reconciled after both watches started and /readyz is ready.
 */
async function heldInTurn(order: [string, string]): Promise<void> {
  const shard = `sync-${randomSuffix()}`;
  await createObjects(shard);
  const proxy = await gatedProxy();
  const held = (plural: string): { plural: string; gate: Gate } => ({
    plural,
    gate: proxy.gate(listOf(plural)),
  });
  const first = held(order[0]);
  const second = held(order[1]);
  const running = await startBehind(proxy, shard);
  await eventually("both lists to be requested and held", async () =>
    first.gate.held > 0 && second.gate.held > 0 ? true : undefined,
  );
  expect(await readyz(running)).not.toBe(200);
  first.gate.open();
  await eventually(`the ${first.plural} watch (its cache synced)`, async () =>
    firstSeen(proxy, watchOf(first.plural)) >= 0 ? true : undefined,
  );
  // The point of this wait: nothing may happen. A worker started now would add the finalizer to
  // an object already in the synced cache within milliseconds; 3 s leaves room on a loaded machine.
  await sleep(3000);
  expect(await touched(GR, shard)).toBe(false);
  expect(await touched(KS, shard)).toBe(false);
  expect(await readyz(running)).not.toBe(200);
  second.gate.open();
  await eventually("/readyz once both caches synced", async () =>
    (await readyz(running)) === 200 ? true : undefined,
  );
  await eventually("both objects reconciled", async () =>
    (await touched(GR, shard)) && (await touched(KS, shard)) ? true : undefined,
  );
  const synced = Math.max(
    firstSeen(proxy, watchOf("gitrepositories")),
    firstSeen(proxy, watchOf("kustomizations")),
  );
  const firstWrite = firstSeen(proxy, new RegExp(`^PATCH .*/(gitrepositories|kustomizations)/${shard}`));
  expect(firstWrite).toBeGreaterThan(synced);
}

describe("controllers wait for their caches (issue 17)", () => {
  it("GitRepository list held: no reconcile and /readyz not ready until both caches synced", async () => {
    await heldInTurn(["kustomizations", "gitrepositories"]);
  }, 120_000);

  it("Kustomization list held: no reconcile and /readyz not ready until both caches synced", async () => {
    await heldInTurn(["gitrepositories", "kustomizations"]);
  }, 120_000);
});
