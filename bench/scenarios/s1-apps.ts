import type { KubeConfig } from "@kubernetes/client-node";
import { startGitServer } from "../../src/dev/git-server/index.js";
import { kubeRequest } from "../../src/runtime/kube-request.js";
import { Semaphore } from "../../src/runtime/semaphore.js";
import { startMooring } from "../lib/controllers.js";
import { DeploymentStatusWriter } from "../lib/deployment-status.js";
import {
  discardNamespace,
  ensureCrds,
  gitRepository,
  kustomization,
  namespace,
  shardArgs,
  sharded,
} from "../lib/gitops.js";
import { benchApply, type BenchObject, pollUntil } from "../lib/kube.js";
import type { ScenarioReport } from "../lib/report.js";
import { appFiles } from "../lib/workload.js";
import type { BenchContext } from "../run.js";

const SCENARIO_LABEL = "bench.mooring.dev/scenario";

interface Ks {
  status?: { conditions?: { type: string; status: string }[]; lastAppliedRevision?: string };
}

async function readyCount(kc: KubeConfig, ns: string): Promise<number> {
  const list = await kubeRequest<{ items: Ks[] }>(
    kc,
    `/apis/kustomize.toolkit.fluxcd.io/v1/namespaces/${ns}/kustomizations`,
  );
  return list.items.filter(
    (k) =>
      k.status?.lastAppliedRevision &&
      k.status.conditions?.some((c) => c.type === "Ready" && c.status === "True"),
  ).length;
}

/** The N apps' Flux objects, labelled with the shard key so only this round's controller sees them. */
function appObjects(ns: string, n: number, url: string, shard: string): BenchObject[] {
  const objs: BenchObject[] = [];
  for (let i = 0; i < n; i++) {
    const name = `app-${i}`;
    const repo = gitRepository(ns, name, url);
    const ks = kustomization(ns, name, {
      source: name,
      path: `./apps/${name}`,
      wait: true,
      targetNamespace: ns,
    });
    objs.push(sharded(repo, shard), sharded(ks, shard));
  }
  return objs;
}

/** One round at N apps: returns seconds to all Ready and the controller's peak RSS. */
async function round(ctx: BenchContext, n: number): Promise<{ ms: number; rssKb: number }> {
  const { kc, kubeconfigPath } = await ctx.cluster();
  await ensureCrds(kc, ctx.repoRoot);
  const shard = `s1-n${n}-${Date.now().toString(36)}`;
  const ns = shard;
  const server = await startGitServer();
  const files: Record<string, string> = {};
  for (let i = 0; i < n; i++)
    for (const [f, c] of Object.entries(appFiles(`app-${i}`, { [SCENARIO_LABEL]: "s1" })))
      files[`apps/app-${i}/${f}`] = c;
  const repo = await server.createRepo("s1");
  await repo.commit({ files });
  await benchApply(kc, namespace(ns));
  const controller = await startMooring(ctx.repoRoot, kubeconfigPath, shardArgs(shard));
  const statusWriter = new DeploymentStatusWriter(kc, `${SCENARIO_LABEL}=s1`);
  try {
    const started = performance.now();
    const sem = new Semaphore(16);
    await Promise.all(appObjects(ns, n, repo.url, shard).map((o) => sem.run(() => benchApply(kc, o))));
    let last = -1;
    await pollUntil(
      `${n} Kustomizations Ready`,
      async () => {
        const ready = await readyCount(kc, ns);
        if (ready !== last) ctx.log(`[bench] S1 N=${n}: ${ready}/${n} Ready`);
        last = ready;
        return ready === n;
      },
      ctx.quick ? 300_000 : 20 * 60_000,
      500,
    );
    return { ms: performance.now() - started, rssKb: await controller.peakRssKb() };
  } finally {
    await statusWriter.stop();
    await controller.stop();
    await discardNamespace(kc, ns).catch(() => undefined);
    await server.stop();
  }
}

/**
 * S1, after flux-benchmark: N apps, each a GitRepository and a Kustomization (wait: true,
 * prune: true) of a ServiceAccount, a Service, an Ingress and a Deployment at 0 replicas; time from
 * creating them to all Ready, and the controller's peak RSS.
 */
export async function s1Apps(ctx: BenchContext): Promise<ScenarioReport> {
  const sizes = ctx.quick ? [20] : [100, 500, 1000];
  const rows: string[][] = [];
  for (const n of sizes) {
    const r = await round(ctx, n);
    rows.push([
      String(n),
      `${(r.ms / 1000).toFixed(1)} s`,
      `${(r.ms / n).toFixed(0)} ms`,
      `${Math.round(r.rssKb / 1024)} MiB`,
      "not run (see notes)",
    ]);
  }
  return {
    scenario: "S1",
    title: "flux-benchmark: N GitRepository-backed Kustomizations of 4 objects, creation to all Ready",
    header: ["N", "mooring: all Ready", "per app", "mooring peak RSS", "Flux"],
    rows,
    notes: [
      "mooring: `mooring controller` child process (default --concurrent 4), started per round with --watch-label-selector on the round's shard key so earlier rounds' objects are not reconciled; peak RSS is its VmHWM.",
      "Each app has its own GitRepository (all on one repository of the local git server, path ./apps/app-i), interval 1h; Kustomization wait: true, prune: true, targetNamespace the round's namespace.",
      "The local control plane runs no deployment controller: the bench writes each Deployment's status (observedGeneration, 0 replicas, Available) every 500 ms, as one would for either controller set; that adds up to 500 ms to the tail.",
      "Flux: source-controller v1.9.5 cannot be built on this machine (the Go module proxy answers 403 for its dependency github.com/fluxcd/pkg/artifact v0.18.3 and there is no direct access to github.com); kustomize-controller v1.9.5 builds (src/dev/flux/controllers.ts) but cannot run without a source-controller.",
    ],
  };
}
