/**
 * Informer initial-list throughput: objects per second to list and store 1,000 ConfigMaps and
 * report them synced (issue 3). Uses $KUBECONFIG when set, else starts the local control plane.
 * `npx tsx bench/informer.bench.ts [objects] [rounds]`. Exports {@link benchInformerSync}.
 */
import { KubeConfig } from "@kubernetes/client-node";
import { ensureControlPlaneBinaries } from "../src/dev/control-plane/build.js";
import { defaultCacheRoot } from "../src/dev/control-plane/cache.js";
import { startControlPlane } from "../src/dev/control-plane/control-plane.js";
import { KUBERNETES_VERSION } from "../src/dev/control-plane/versions.js";
import { apiListWatcher } from "../src/runtime/informer/api-list-watcher.js";
import { Informer } from "../src/runtime/informer/informer.js";
import { kubeRequest, resourcePath } from "../src/runtime/kube-request.js";
import { Semaphore } from "../src/runtime/semaphore.js";

/** Creates `count` ConfigMaps in a fresh namespace; returns the namespace. */
export async function seed(kc: KubeConfig, count: number): Promise<string> {
  const ns = `bench-informer-${Date.now().toString(36)}`;
  await kubeRequest(kc, "/api/v1/namespaces", { method: "POST", body: { metadata: { name: ns } } });
  const sem = new Semaphore(32);
  const path = resourcePath({ apiVersion: "v1", plural: "configmaps", namespace: ns });
  await Promise.all(
    Array.from({ length: count }, (_, i) =>
      kubeRequest(kc, path, {
        method: "POST",
        body: {
          metadata: { name: `cm-${i}`, namespace: ns, labels: { bench: "x" } },
          data: { i: String(i) },
        },
        limiter: sem,
      }),
    ),
  );
  return ns;
}

/** One round: start an informer, wait for sync; returns objects/s. */
export async function benchInformerSync(kc: KubeConfig, ns: string, expected: number): Promise<number> {
  const informer = new Informer<{ metadata: { name: string; namespace: string } }>({
    name: "bench",
    source: apiListWatcher(kc, {
      resource: { apiVersion: "v1", plural: "configmaps", namespace: ns },
      labelSelector: "bench=x",
    }),
  });
  let added = 0;
  informer.addHandler({ onAdd: () => void added++ });
  const started = performance.now();
  informer.start();
  await informer.waitForSync();
  const seconds = (performance.now() - started) / 1000;
  await informer.stop();
  if (added !== expected) throw new Error(`expected ${expected} adds, got ${added}`);
  return expected / seconds;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const count = Number(process.argv[2] ?? 1000);
  const rounds = Number(process.argv[3] ?? 7);
  const kc = new KubeConfig();
  let stop = async (): Promise<void> => undefined;
  if (process.env["KUBECONFIG"]) kc.loadFromDefault();
  else {
    const binaries = await ensureControlPlaneBinaries({
      cacheRoot: defaultCacheRoot(process.env),
      kubernetesVersion: KUBERNETES_VERSION,
      log: () => {},
    });
    const cp = await startControlPlane({ binaries, log: () => {} });
    kc.loadFromFile(cp.kubeconfigPath);
    stop = () => cp.stop();
  }
  try {
    const ns = await seed(kc, count);
    await benchInformerSync(kc, ns, count); // warm-up
    const figures: number[] = [];
    for (let i = 0; i < rounds; i++) figures.push(await benchInformerSync(kc, ns, count));
    figures.sort((a, b) => a - b);
    const median = figures[Math.floor(figures.length / 2)] ?? 0;
    console.log(
      `informer: initial list of ${count} ConfigMaps to synced store: median ${Math.round(median)} objects/s ` +
        `(min ${Math.round(figures[0] ?? 0)}, max ${Math.round(figures.at(-1) ?? 0)}, ${rounds} rounds)`,
    );
    await kubeRequest(kc, `/api/v1/namespaces/${ns}`, { method: "DELETE" });
  } finally {
    await stop();
  }
}
