/**
 * Informer against the real API server (issue 3 acceptance): changes while the watch is cut are
 * seen after reconnecting, a forced 410 relists with correct synthetic deletes, a 1,000-object
 * initial list syncs and stays in sync. ConfigMaps in a test namespace stand in for any kind.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiListWatcher } from "../../src/runtime/informer/api-list-watcher.js";
import { Informer } from "../../src/runtime/informer/informer.js";
import {
  eventually,
  kubeconfigPath,
  randomSuffix,
  testKubeConfig,
  useTestNamespace,
} from "../support/kube.js";
import { compactEtcd, localEtcdUrl } from "./runtime-support/etcd.js";
import { eventApi } from "./runtime-support/events.js";
import { createCm, deleteCm, listCms, patchCm, type ConfigMap } from "./runtime-support/configmaps.js";
import { startCuttableProxy, type CuttableProxy } from "./runtime-support/tcp-proxy.js";

const namespace = useTestNamespace("rt-informer");
const kc = testKubeConfig();
let proxy: CuttableProxy;

beforeAll(async () => {
  proxy = await startCuttableProxy(kc);
});
afterAll(async () => {
  await proxy.close();
});

const fast = { initial: 100, max: 1000 };

function record(inf: Informer<ConfigMap>) {
  const log: string[] = [];
  inf.addHandler({
    onAdd: (o) => log.push(`add ${o.metadata.name}`),
    onUpdate: (_o, n) => log.push(`update ${n.metadata.name}${n.data?.["v"] ? ` ${n.data["v"]}` : ""}`),
    onDelete: (o, i) => log.push(`${i.finalStateUnknown ? "synthetic-" : ""}delete ${o.metadata.name}`),
  });
  return log;
}

/** The store equals the server: same names and resourceVersions. */
async function inSync(inf: Informer<ConfigMap>, selector: string): Promise<true | undefined> {
  const server = await listCms(kc, namespace(), selector);
  const want = new Map(server.map((c) => [c.metadata.name, c.metadata.resourceVersion]));
  const have = new Map(inf.store.list().map((c) => [c.metadata.name, c.metadata.resourceVersion]));
  if (want.size !== have.size) return undefined;
  for (const [k, v] of want) if (have.get(k) !== v) return undefined;
  return true;
}

describe("informer on the real API server", () => {
  it("sees objects created, changed and deleted while the watch was cut", async () => {
    const group = `cut-${randomSuffix()}`;
    const labels = { group };
    await createCm(kc, namespace(), `${group}-keep`, { labels });
    await createCm(kc, namespace(), `${group}-gone`, { labels });
    const inf = new Informer<ConfigMap>({
      name: "configmaps",
      source: apiListWatcher(proxy.kubeConfig, {
        resource: { apiVersion: "v1", plural: "configmaps", namespace: namespace() },
        labelSelector: `group=${group}`,
      }),
      backoffMs: fast,
    });
    const log = record(inf);
    inf.start();
    await inf.waitForSync();
    await eventually("watch connected", async () =>
      inf.stats.watches > 0 && proxy.connections > 0 ? true : undefined,
    );
    proxy.cut();
    await createCm(kc, namespace(), `${group}-new`, { labels });
    await patchCm(kc, namespace(), `${group}-keep`, { data: { v: "2" } });
    await deleteCm(kc, namespace(), `${group}-gone`);
    await createCm(kc, namespace(), `${group}-unlabelled`); // outside the selector
    await eventually(
      "the informer to notice the cut",
      async () => (inf.stats.watchErrors + inf.stats.listErrors > 0 ? true : undefined),
      () => Promise.resolve(inf.stats),
    );
    proxy.restore();
    await eventually(
      "store in sync after reconnect",
      () => inSync(inf, `group=${group}`),
      async () => ({ log, stats: inf.stats }),
    );
    await eventually(
      "all three changes delivered",
      async () =>
        log.includes(`add ${group}-new`) &&
        log.includes(`update ${group}-keep 2`) &&
        log.some((l) => l.endsWith(`delete ${group}-gone`))
          ? true
          : undefined,
      async () => log,
    );
    expect(inf.store.get(`${namespace()}/${group}-unlabelled`)).toBeUndefined();
    await inf.stop();
  });

  it("recovers from a real 410 Gone with synthetic deletes for what vanished meanwhile", async () => {
    // core/v1 Events have no watch cache in the API server, so a watch resumed from a
    // resourceVersion that etcd has compacted away gets the server's own 410 Expired.
    const group = `gone-${randomSuffix()}`;
    const ev = eventApi(namespace(), group);
    for (const n of ["a", "b", "c"]) await ev.create(n);
    const inf = new Informer<ConfigMap>({
      name: "events-410",
      source: apiListWatcher(proxy.kubeConfig, {
        resource: { apiVersion: "v1", plural: "events", namespace: namespace() },
        fieldSelector: `reason=${group}`,
      }),
      backoffMs: fast,
    });
    const log = record(inf);
    inf.start();
    await inf.waitForSync();
    await eventually("watch connected", async () => (proxy.connections > 0 ? true : undefined));
    proxy.cut();
    await ev.remove("b");
    await ev.create("d");
    await ev.update("a");
    const etcd = await localEtcdUrl(kubeconfigPath());
    if (etcd === undefined) throw new Error("cannot find the control plane's etcd to compact");
    await compactEtcd(etcd);
    proxy.restore();
    await eventually(
      "a 410 and a relist",
      async () => (inf.stats.gone > 0 ? true : undefined),
      async () => ({ stats: inf.stats, log }),
    );
    await eventually(
      "store mirrors the server after the relist",
      async () => {
        const names = inf.store
          .list()
          .map((o) => o.metadata.name)
          .sort();
        return JSON.stringify(names) === JSON.stringify([`${group}-a`, `${group}-c`, `${group}-d`])
          ? true
          : undefined;
      },
      async () => ({ log, stats: inf.stats }),
    );
    expect(log).toContain(`synthetic-delete ${group}-b`);
    expect(log).toContain(`add ${group}-d`);
    expect(log).toContain(`update ${group}-a`);
    expect(log.filter((l) => l.includes("delete"))).toEqual([`synthetic-delete ${group}-b`]);
    expect(inf.stats.lists).toBeGreaterThanOrEqual(2);
    await inf.stop();
  });

  it("syncs a 1,000-object initial list and stays in sync through changes", async () => {
    const group = `big-${randomSuffix()}`;
    const labels = { group };
    await Promise.all(
      Array.from({ length: 1000 }, (_, i) => createCm(kc, namespace(), `${group}-${i}`, { labels })),
    );
    const inf = new Informer<ConfigMap>({
      name: "configmaps-big",
      source: apiListWatcher(kc, {
        resource: { apiVersion: "v1", plural: "configmaps", namespace: namespace() },
        labelSelector: `group=${group}`,
        pageSize: 250,
      }),
      backoffMs: fast,
    });
    const log = record(inf);
    inf.start();
    await inf.waitForSync();
    expect(inf.store.size).toBe(1000);
    expect(log.filter((l) => l.startsWith("add "))).toHaveLength(1000);
    const ops: Promise<unknown>[] = [];
    for (let i = 0; i < 50; i++) ops.push(patchCm(kc, namespace(), `${group}-${i}`, { data: { v: "2" } }));
    for (let i = 50; i < 100; i++) ops.push(deleteCm(kc, namespace(), `${group}-${i}`));
    for (let i = 1000; i < 1050; i++) ops.push(createCm(kc, namespace(), `${group}-${i}`, { labels }));
    await Promise.all(ops);
    await eventually(
      "store in sync after 150 changes",
      () => inSync(inf, `group=${group}`),
      async () => ({ size: inf.store.size, stats: inf.stats }),
      { timeoutMs: 60_000 },
    );
    expect(inf.store.size).toBe(1000);
    await inf.stop();
  });

  it("applies field selectors", async () => {
    const name = `field-${randomSuffix()}`;
    await createCm(kc, namespace(), name);
    const inf = new Informer<ConfigMap>({
      name: "configmaps-field",
      source: apiListWatcher(kc, {
        resource: { apiVersion: "v1", plural: "configmaps", namespace: namespace() },
        fieldSelector: `metadata.name=${name}`,
      }),
    });
    inf.start();
    await inf.waitForSync();
    expect(inf.store.keys()).toEqual([`${namespace()}/${name}`]);
    await inf.stop();
  });
});
