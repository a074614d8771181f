import { kubeRequest } from "../../src/runtime/kube-request.js";
import { benchInformerSync, seed } from "../informer.bench.js";
import { benchQueue } from "../queue.bench.js";
import type { ScenarioReport } from "../lib/report.js";
import { summarise, type Stats } from "../lib/stats.js";
import type { BenchContext } from "../run.js";

const perSecond = (s: Stats, unit: string): string =>
  `${Math.round(s.median)} ${unit}/s (min ${Math.round(s.min)}, max ${Math.round(s.max)})`;

/**
 * Queue micro-scenario: keys per second through a no-op reconciler at concurrency 4. There is
 * no external reference, so it is an absolute figure to track between runs.
 */
export async function queueScenario(ctx: BenchContext): Promise<ScenarioReport> {
  const keys = ctx.quick ? 20_000 : 100_000;
  const rounds = ctx.quick ? 3 : 7;
  await benchQueue(Math.min(keys, 10_000)); // warm-up: JIT and the first allocations
  const figures: number[] = [];
  for (let i = 0; i < rounds; i++) figures.push(await benchQueue(keys));
  return {
    scenario: "RT-QUEUE",
    title: "runtime: work queue throughput, no-op reconciler, concurrency 4",
    header: ["keys per round", "rounds", "throughput"],
    rows: [[String(keys), String(rounds), perSecond(summarise(figures), "keys")]],
    notes: ["bench/queue.bench.ts benchQueue: all keys added at once, drained by 4 workers."],
  };
}

/**
 * Informer micro-scenario: objects per second from the first list to a synced store, on the
 * local control plane.
 */
export async function informerScenario(ctx: BenchContext): Promise<ScenarioReport> {
  const { kc, kubernetesVersion } = await ctx.cluster();
  const count = 1000;
  const rounds = ctx.quick ? 3 : 7;
  const ns = await seed(kc, count);
  try {
    await benchInformerSync(kc, ns, count); // warm-up
    const figures: number[] = [];
    for (let i = 0; i < rounds; i++) figures.push(await benchInformerSync(kc, ns, count));
    return {
      scenario: "RT-INFORMER",
      title: `runtime: informer initial list of ${count} ConfigMaps to a synced store`,
      header: ["objects", "rounds", "throughput"],
      rows: [[String(count), String(rounds), perSecond(summarise(figures), "objects")]],
      notes: [`local kube-apiserver ${kubernetesVersion}; bench/informer.bench.ts benchInformerSync.`],
    };
  } finally {
    await kubeRequest(kc, `/api/v1/namespaces/${ns}`, { method: "DELETE" });
  }
}
