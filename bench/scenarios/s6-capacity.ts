import type { KubeConfig } from "@kubernetes/client-node";
import { readFile } from "node:fs/promises";
import { startGitServer } from "../../src/dev/git-server/index.js";
import { Semaphore } from "../../src/runtime/semaphore.js";
import { startMooring } from "../lib/controllers.js";
import { ensureCrds, gitRepository, kustomization, namespace, shardArgs, sharded } from "../lib/gitops.js";
import { benchApply } from "../lib/kube.js";
import type { ScenarioReport } from "../lib/report.js";
import { percentile, summarise } from "../lib/stats.js";
import type { BenchContext } from "../run.js";

const APPS = 5000;
const DURATION_MS = 15 * 60_000;

function twoObjects(ns: string): string {
  return [
    `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cap\n  namespace: ${ns}\ndata:\n  a: "1"`,
    `apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: cap\n  namespace: ${ns}`,
  ].join("\n---\n");
}

/** CPU seconds (user + system) of a process from /proc/<pid>/stat. */
async function cpuSeconds(pid: number): Promise<number> {
  const fields = (await readFile(`/proc/${pid}/stat`, "utf8")).split(") ")[1]?.split(" ") ?? [];
  return (Number(fields[11] ?? 0) + Number(fields[12] ?? 0)) / 100;
}

async function createApps(kc: KubeConfig, ns: string, url: string, apps: number): Promise<void> {
  const sem = new Semaphore(16);
  const source = sharded(gitRepository(ns, "cap", url, "10m"), ns);
  await benchApply(kc, source);
  await Promise.all(
    Array.from({ length: apps }, (_, i) =>
      sem.run(() =>
        benchApply(
          kc,
          sharded(
            kustomization(ns, `cap-${i}`, {
              source: "cap",
              path: "./",
              interval: "10m",
              targetNamespace: `${ns}-t${i % 50}`,
            }),
            ns,
          ),
        ),
      ),
    ),
  );
}

/**
 * S6: 5,000 Kustomizations of 2 objects at a 10-minute interval on one instance for 15 minutes:
 * CPU, RSS and the controller's own queue and reconcile metrics. Full run only.
 */
export async function s6Capacity(ctx: BenchContext): Promise<ScenarioReport> {
  if (ctx.quick)
    return {
      scenario: "S6",
      title: "capacity: 5,000 Kustomizations over 15 minutes",
      header: ["status"],
      rows: [["skipped in --quick (15 minutes of 5,000 Kustomizations); run `npm run bench -- --only S6`"]],
    };
  return capacityRun(ctx, APPS, DURATION_MS);
}

/** The S6 measurement at a given size and duration (smaller ones are for checking the bench itself). */
export async function capacityRun(
  ctx: BenchContext,
  apps: number,
  durationMs: number,
): Promise<ScenarioReport> {
  const { kc, kubeconfigPath } = await ctx.cluster();
  await ensureCrds(kc, ctx.repoRoot);
  const ns = `s6-${Date.now().toString(36)}`;
  const server = await startGitServer();
  const repo = await server.createRepo("s6");
  await repo.commit({ files: { "objects.yaml": twoObjects("placeholder") } });
  await benchApply(kc, namespace(ns));
  for (let t = 0; t < 50; t++) await benchApply(kc, namespace(`${ns}-t${t}`));
  const controller = await startMooring(ctx.repoRoot, kubeconfigPath, shardArgs(ns));
  const cpu: number[] = [];
  try {
    await createApps(kc, ns, repo.url, apps);
    const started = Date.now();
    let lastCpu = await cpuSeconds(controller.pid);
    while (Date.now() - started < durationMs) {
      await new Promise((r) => setTimeout(r, 10_000));
      const now = await cpuSeconds(controller.pid);
      cpu.push((now - lastCpu) / 10);
      lastCpu = now;
    }
    const rss = await controller.peakRssKb();
    const c = summarise(cpu);
    return {
      scenario: "S6",
      title: `capacity: ${apps} Kustomizations of 2 objects, interval 10m, ${Math.round(durationMs / 60_000)} minutes`,
      header: ["measure", "mooring"],
      rows: [
        [
          "CPU (cores, 10 s samples)",
          `median ${c.median.toFixed(2)}, p95 ${percentile(cpu, 95).toFixed(2)}, max ${c.max.toFixed(2)}`,
        ],
        ["peak RSS", `${Math.round(rss / 1024)} MiB`],
      ],
      notes: [
        "All Kustomizations share one GitRepository; each applies a ConfigMap and a ServiceAccount into one of 50 target namespaces.",
        "Queue depth and reconcile latency: read them from the controller's /metrics (workqueue_depth, gotk_reconcile_duration_seconds); not yet scraped by the bench.",
      ],
    };
  } finally {
    await controller.stop();
    await server.stop();
  }
}
