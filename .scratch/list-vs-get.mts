import { KubeConfig } from "@kubernetes/client-node";
import { ensureControlPlaneBinaries } from "../src/dev/control-plane/build.js";
import { defaultCacheRoot } from "../src/dev/control-plane/cache.js";
import { startControlPlane } from "../src/dev/control-plane/control-plane.js";
import { KUBERNETES_VERSION } from "../src/dev/control-plane/versions.js";
import { kubeRequest } from "../src/runtime/kube-request.js";
import { Semaphore } from "../src/runtime/semaphore.js";
import { readFileSync } from "node:fs";
const binaries = await ensureControlPlaneBinaries({ cacheRoot: defaultCacheRoot(process.env), kubernetesVersion: KUBERNETES_VERSION, log: () => {} });
const cp = await startControlPlane({ binaries, log: () => {} });
const kc = new KubeConfig(); kc.loadFromFile(cp.kubeconfigPath);
const cpu = (): number => cp.pids ? 0 : 0;
const pids: number[] = (cp as unknown as { pids?: number[] }).pids ?? [];
const cpuOf = (): number => pids.reduce((a, p) => { try { const f = readFileSync(`/proc/${p}/stat`, "utf8").split(") ")[1]!.split(" "); return a + (Number(f[11]) + Number(f[12])) / 100; } catch { return a; } }, 0);
await kubeRequest(kc, "/api/v1/namespaces", { method: "POST", body: { metadata: { name: "lv" } } });
const sem = new Semaphore(32);
const N = Number(process.argv[2] ?? 1000);
await Promise.all(Array.from({ length: N }, (_, i) => kubeRequest(kc, "/apis/apps/v1/namespaces/lv/deployments", { method: "POST", limiter: sem, body: { metadata: { name: `d${i}` }, spec: { replicas: 0, selector: { matchLabels: { a: `d${i}` } }, template: { metadata: { labels: { a: `d${i}` } }, spec: { containers: [{ name: "c", image: "x" }] } } } } })));
for (const mode of ["get", "list", "get", "list"]) {
  const t0 = performance.now(); const c0 = cpuOf();
  await Promise.all(Array.from({ length: N }, (_, i) => mode === "get"
    ? kubeRequest(kc, `/apis/apps/v1/namespaces/lv/deployments/d${i}`, { limiter: sem })
    : kubeRequest(kc, "/apis/apps/v1/namespaces/lv/deployments", { limiter: sem, query: { fieldSelector: `metadata.name=d${i}`, limit: 500 } })));
  console.log(mode, ((performance.now() - t0) / 1000).toFixed(2), "s", (cpuOf() - c0).toFixed(1), "control-plane CPU-s", "pids", pids.length);
}
await cp.stop();
