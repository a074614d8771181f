import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { stringify } from "yaml";
import { kubeRequest } from "../../src/runtime/kube-request.js";
import { type ControllerSet, FLUX, MOORING, runsSide } from "../lib/controller-sets.js";
import { seedRepo } from "../lib/git-seed.js";
import { fluxStatus, gitRepository, kustomization, namespace, sharded } from "../lib/gitops.js";
import { benchApply, pollUntil } from "../lib/kube.js";
import type { ScenarioReport } from "../lib/report.js";
import { inRound } from "../lib/round.js";
import { percentile, summarise } from "../lib/stats.js";
import { largeStream } from "../lib/workload.js";
import type { BenchContext } from "../run.js";

const run = promisify(execFile);
const KUSTOMIZATION_YAML = (resources: string[]): string =>
  stringify({ apiVersion: "kustomize.config.k8s.io/v1beta1", kind: "Kustomization", resources });

/** What one controller set did. */
interface FairnessRound {
  /** Each small Kustomization: creation → Ready, while the big one applies. */
  smallMs: number[];
  /** Small Kustomizations Ready before the big one was. */
  smallBeforeBig: number;
  /** Big Kustomization: creation → Ready. */
  bigMs: number;
  /** API server answers 429 or 5xx during the round (all clients; the bench's own polls are light). */
  serverErrors: number;
  /** Warning events on the round's Kustomizations and GitRepository, by reason. */
  warnings: string[];
}

/** kube-apiserver's `apiserver_request_total` with a 429 or 5xx code, all resources. */
async function serverErrorCount(kubeconfigPath: string): Promise<number> {
  const { stdout } = await run("kubectl", ["--kubeconfig", kubeconfigPath, "get", "--raw", "/metrics"], {
    maxBuffer: 256 * 1024 * 1024,
  });
  let n = 0;
  for (const line of stdout.split("\n")) {
    if (!line.startsWith("apiserver_request_total{")) continue;
    const code = Number(/[{,]code="(\d+)"/.exec(line)?.[1] ?? 0);
    if (code === 429 || code >= 500) n += Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return n;
}

interface KsList {
  items: { metadata: { name: string }; status?: { conditions?: { type: string; status: string }[] } }[];
}

/** Names of the round's Kustomizations that are Ready now (one LIST, not one GET each). */
async function readyNames(ctx: { kc: Parameters<typeof kubeRequest>[0]; ns: string }): Promise<Set<string>> {
  const list = await kubeRequest<KsList>(
    ctx.kc,
    `/apis/kustomize.toolkit.fluxcd.io/v1/namespaces/${ctx.ns}/kustomizations`,
  );
  return new Set(
    list.items
      .filter((k) => k.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True"))
      .map((k) => k.metadata.name),
  );
}

/**
 * Warning events on the round's Kustomizations and GitRepository (what the controllers report;
 * the API server's own, such as ClusterIP repair notices, are not counted), as `reason ×count:
 * first message`.
 */
async function controllerWarnings(kubeconfigPath: string, ns: string): Promise<string[]> {
  const { stdout } = await run(
    "kubectl",
    [
      "--kubeconfig",
      kubeconfigPath,
      "get",
      "events",
      "-n",
      ns,
      "--field-selector",
      "type=Warning",
      "-o",
      "json",
    ],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  type Event = { reason?: string; message?: string; count?: number; involvedObject?: { kind?: string } };
  const items = (JSON.parse(stdout) as { items: Event[] }).items.filter((e) =>
    ["Kustomization", "GitRepository"].includes(e.involvedObject?.kind ?? ""),
  );
  const byReason = new Map<string, { count: number; message: string }>();
  for (const e of items) {
    const r = byReason.get(e.reason ?? "") ?? { count: 0, message: e.message ?? "" };
    r.count += e.count ?? 1;
    byReason.set(e.reason ?? "", r);
  }
  return [...byReason].map(([reason, r]) => `${reason} ×${r.count}: ${r.message.slice(0, 160)}`);
}

async function fairnessRound(
  ctx: BenchContext,
  set: ControllerSet,
  big: number,
  small: number,
): Promise<FairnessRound> {
  let repoUrl = "";
  return inRound(
    ctx,
    set,
    {
      scenario: "s9",
      prepare: async ({ server, ns }) => {
        const repo = await server.createRepo("s9");
        const files: Record<string, string> = {
          "big/kustomization.yaml": KUSTOMIZATION_YAML(["objects.yaml"]),
          "big/objects.yaml": largeStream(ns, big),
        };
        for (let i = 0; i < small; i++) {
          files[`small-${i}/kustomization.yaml`] = KUSTOMIZATION_YAML(["cm.yaml"]);
          files[`small-${i}/cm.yaml`] = stringify({
            apiVersion: "v1",
            kind: "ConfigMap",
            metadata: { name: `small-${i}` },
            data: { i: String(i) },
          });
        }
        await seedRepo(repo, files);
        repoUrl = repo.url;
      },
    },
    async ({ kc, kubeconfigPath, ns }) => {
      await benchApply(kc, namespace(ns));
      const source = sharded(gitRepository(ns, "s9", repoUrl), ns);
      await benchApply(kc, source);
      await pollUntil("GitRepository s9 Ready", async () => (await fluxStatus(kc, source)).ready, 300_000);
      const errorsBefore = await serverErrorCount(kubeconfigPath);
      const bigKs = sharded(kustomization(ns, "big", { source: "s9", path: "./big", timeout: "30m" }), ns);
      const bigStarted = performance.now();
      await benchApply(kc, bigKs);
      // The small ones arrive once the big one is applying: its first objects exist.
      await pollUntil(
        "the big Kustomization applying",
        async () =>
          (await kubeRequest(kc, `/api/v1/namespaces/${ns}/configmaps/obj-0`).catch(() => undefined)) !==
          undefined,
        600_000,
        100,
      );
      const created = new Map<string, number>();
      for (let i = 0; i < small; i++) {
        await benchApply(
          kc,
          sharded(
            kustomization(ns, `small-${i}`, { source: "s9", path: `./small-${i}`, targetNamespace: ns }),
            ns,
          ),
        );
        created.set(`small-${i}`, performance.now());
      }
      const smallMs = new Map<string, number>();
      let smallBeforeBig = 0;
      let bigMs = 0;
      await pollUntil(
        "every Kustomization Ready",
        async () => {
          const ready = await readyNames({ kc, ns });
          const now = performance.now();
          for (const [name, at] of created) {
            if (ready.has(name) && !smallMs.has(name)) {
              smallMs.set(name, now - at);
              if (!ready.has("big")) smallBeforeBig++;
            }
          }
          if (ready.has("big") && bigMs === 0) bigMs = now - bigStarted;
          return bigMs > 0 && smallMs.size === small;
        },
        1_800_000,
        200,
      );
      return {
        smallMs: [...smallMs.values()],
        smallBeforeBig,
        bigMs,
        serverErrors: (await serverErrorCount(kubeconfigPath)) - errorsBefore,
        warnings: await controllerWarnings(kubeconfigPath, ns),
      };
    },
  );
}

const secs = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
const smallCell = (r: FairnessRound): string =>
  `median ${secs(summarise(r.smallMs).median)}, p95 ${secs(percentile(r.smallMs, 95))}, max ${secs(summarise(r.smallMs).max)}`;

/**
 * S9 (issue 17): one huge Kustomization beside many small ones on the same controller, at the
 * client-side rate limit's defaults (50 QPS, burst 300, as Flux): the small ones must keep
 * reconciling while the big one applies, and the API server must not be pushed into throttling.
 */
export async function s9Fairness(ctx: BenchContext): Promise<ScenarioReport> {
  const big = ctx.quick ? 1_000 : 10_000;
  const small = ctx.quick ? 10 : 50;
  const m = runsSide("mooring") ? await fairnessRound(ctx, MOORING, big, small) : undefined;
  const f = runsSide("flux") ? await fairnessRound(ctx, FLUX, big, small) : undefined;
  const row = (label: string, pick: (r: FairnessRound) => string): string[] => [
    label,
    m ? pick(m) : "not run",
    f ? pick(f) : "not run",
  ];
  return {
    scenario: "S9",
    title: `fairness: a ${big.toLocaleString("en")}-object Kustomization beside ${small} small ones, at the default API rate limit`,
    header: ["measure", "mooring", "Flux"],
    rows: [
      row("small Kustomization created → Ready", smallCell),
      row(`small ones Ready before the big one (of ${small})`, (r) => String(r.smallBeforeBig)),
      row("big Kustomization created → Ready", (r) => secs(r.bigMs)),
      row("API server 429 / 5xx answers during the round", (r) => String(r.serverErrors)),
      row("Warning events on the Kustomizations and GitRepository", (r) => r.warnings.join("; ") || "none"),
    ],
    notes: [
      `The big Kustomization applies ${big.toLocaleString("en")} objects (ConfigMaps, Services, Deployments at 0 replicas; wait: false, prune: true); once its first object exists, ${small} Kustomizations of one ConfigMap each are created one after the other, all on the same GitRepository. Times come from one LIST of the Kustomizations every 200 ms.`,
      "Each set at its defaults (mooring --concurrent 4 and --kube-api-qps 50 --kube-api-burst 300; Flux source-controller 2 workers, kustomize-controller 4, the same QPS and burst), alone on a fresh control plane.",
    ],
  };
}
