import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ControllerSet, FLUX, MOORING, runsSide } from "../lib/controller-sets.js";
import {
  fluxStatus,
  gitRepository,
  kustomization,
  namespace,
  requestReconcile,
  sharded,
} from "../lib/gitops.js";
import {
  benchApply,
  countDelta,
  formatCounts,
  pollUntil,
  requestCounts,
  total,
  type VerbCounts,
} from "../lib/kube.js";
import { measureCommand, timeIt } from "../lib/measure.js";
import type { ScenarioReport } from "../lib/report.js";
import { inRound } from "../lib/round.js";
import { ratio } from "../lib/stats.js";
import { largeStream } from "../lib/workload.js";
import type { BenchContext } from "../run.js";

/** Time and API requests (on the applied resources) of one step. */
interface Step {
  ms: number;
  requests: VerbCounts;
}

const RESOURCES = new Set(["configmaps", "services", "deployments"]);
const KUSTOMIZATION_YAML =
  "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- objects.yaml\n";

async function counted(kubeconfig: string, fn: () => Promise<unknown>): Promise<Step> {
  const before = await requestCounts(kubeconfig, RESOURCES);
  const { ms } = await timeIt(fn);
  return { ms, requests: countDelta(before, await requestCounts(kubeconfig, RESOURCES)) };
}

/**
 * kubectl apply --server-side of the same stream (in its own namespace): first, then no-op. The
 * one-object change is not run: kubectl re-applies every object whatever changed, the same
 * requests as the no-op, and each run costs about a minute of a bench that must fit in an hour.
 */
async function kubectlSteps(ctx: BenchContext, ns: string, count: number): Promise<Step[]> {
  // A fresh control plane per round: the previous round's objects must not load this one.
  await ctx.resetCluster();
  const { kc, kubeconfigPath } = await ctx.cluster();
  await benchApply(kc, namespace(ns));
  const dir = await mkdtemp(join(tmpdir(), "mooring-bench-s2-"));
  const file = join(dir, "objects.yaml");
  const apply = async (): Promise<void> => {
    const args = ["--kubeconfig", kubeconfigPath, "apply", "--server-side", "--force-conflicts"];
    const r = await measureCommand("kubectl", [...args, "--field-manager=bench-kubectl", "-f", file]);
    if (r.code !== 0) throw new Error(`kubectl apply failed: ${r.stderr.slice(0, 500)}`);
  };
  try {
    await writeFile(file, largeStream(ns, count));
    const first = await counted(kubeconfigPath, apply);
    const noop = await counted(kubeconfigPath, apply);
    return [first, noop];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** One controller set (child processes), GitRepository + Kustomization from the git server. */
async function controllerSteps(
  ctx: BenchContext,
  set: ControllerSet,
  ns: string,
  count: number,
): Promise<{ steps: Step[]; rssKb: number }> {
  return inRound(ctx, set, { scenario: "s2", ns }, async ({ kc, kubeconfigPath, server, controller }) => {
    const repo = await server.createRepo("s2");
    const sha = await repo.commit({
      files: { "kustomization.yaml": KUSTOMIZATION_YAML, "objects.yaml": largeStream(ns, count) },
    });
    await benchApply(kc, namespace(ns));
    const source = sharded(gitRepository(ns, "s2", repo.url), ns);
    await benchApply(kc, source);
    await pollUntil("GitRepository s2 Ready", async () => (await fluxStatus(kc, source)).ready, 120_000);
    const ks = sharded(kustomization(ns, "s2", { source: "s2", path: "./" }), ns);
    const applied = (rev: string) => async (): Promise<boolean> => {
      const s = await fluxStatus(kc, ks);
      return s.ready && s.revision.endsWith(rev);
    };
    const first = await counted(kubeconfigPath, async () => {
      await benchApply(kc, ks);
      await pollUntil("first apply", applied(sha), 300_000, 50);
    });
    const noop = await counted(kubeconfigPath, async () => {
      const token = await requestReconcile(kc, ks);
      await pollUntil(
        "no-op reconcile",
        async () => {
          const s = await fluxStatus(kc, ks);
          return s.ready && s.lastHandledReconcileAt === token;
        },
        300_000,
        50,
      );
    });
    const changedSha = await repo.commit({ files: { "objects.yaml": largeStream(ns, count, 7, 0) } });
    const change = await counted(kubeconfigPath, async () => {
      await requestReconcile(kc, source);
      await pollUntil("one-object change", applied(changedSha), 300_000, 50);
    });
    return { steps: [first, noop, change], rssKb: await controller.peakRssKb() };
  });
}

const perObject = (s: Step, count: number): string => (total(s.requests) / count).toFixed(2);
const cell = (s: Step, count: number): string =>
  `${s.ms.toFixed(0)} ms; ${perObject(s, count)} req/obj (${formatCounts(s.requests)})`;

/**
 * S2: a 1,500-object Kustomization (ConfigMaps, Services, Deployments at 0 replicas) through
 * mooring's controller, Flux's controllers and `kubectl apply --server-side` of the same stream:
 * first apply, no-op, one-object change, with time and API requests on the applied resources.
 */
export async function s2Large(ctx: BenchContext): Promise<ScenarioReport> {
  const count = ctx.quick ? 300 : 1500;
  const suffix = Date.now().toString(36);
  const notRun = { steps: [], rssKb: 0 };
  const kubectl = runsSide("kubectl") ? await kubectlSteps(ctx, `s2-kubectl-${suffix}`, count) : [];
  const mooring = runsSide("mooring")
    ? await controllerSteps(ctx, MOORING, `s2-mooring-${suffix}`, count)
    : notRun;
  const flux = runsSide("flux") ? await controllerSteps(ctx, FLUX, `s2-flux-${suffix}`, count) : notRun;
  const names = ["first apply", "no-op reconcile", "one-object change"];
  const shown = (st: Step | undefined): string => (st ? cell(st, count) : "not run");
  const vs = (a: Step | undefined, b: Step | undefined): string => (a && b ? ratio(a.ms, b.ms) : "—");
  const rows = names.map((name, i) => {
    const [m, f, k] = [mooring.steps[i], flux.steps[i], kubectl[i]];
    const kubectlCells =
      k === undefined
        ? [i === 2 ? "not run: the same requests as the no-op" : "not run", ""]
        : [cell(k, count), vs(k, m)];
    return [name, shown(m), shown(f), vs(f, m), ...kubectlCells];
  });
  const mib = (kb: number): string => (kb > 0 ? `${Math.round(kb / 1024)} MiB` : "not run");
  rows.push([
    "controller peak RSS",
    mib(mooring.rssKb),
    mib(flux.rssKb),
    mooring.rssKb > 0 && flux.rssKb > 0 ? ratio(flux.rssKb, mooring.rssKb) : "—",
    "",
    "",
  ]);
  return {
    scenario: "S2",
    title: `large Kustomization: ${count} objects, mooring vs Flux vs kubectl apply --server-side`,
    header: ["step", "mooring", "Flux", "vs Flux", "kubectl apply --server-side", "vs kubectl"],
    rows,
    notes: [
      "mooring and Flux: the controller set as child processes (see S1), one after the other in their own namespaces; a GitRepository + Kustomization (wait: false, prune: true) served by the local git server. Time from creating the Kustomization (first), setting requestedAt on it (no-op) or on the GitRepository after a push (change) to Ready with lastAppliedRevision / lastHandledReconcileAt updated; source fetch and artifact download included.",
      "kubectl: one `kubectl apply --server-side -f` of the same stream in its own namespace per step, process start and discovery included. It re-applies every object whatever changed, so its one-object change would repeat the no-op's requests; that run is left out to keep the full bench within the hour.",
      "Requests: kube-apiserver apiserver_request_total delta on configmaps, services and deployments only (the bench's own status polling is on other resources), by verb; Flux's dry-run applies count as APPLY; WATCH/LIST are informers.",
      "Ratios > 1 mean mooring is faster / smaller.",
    ],
  };
}
