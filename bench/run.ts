/**
 * `npm run bench [-- --quick] [-- --only S5,S4]`: runs the benchmark scenarios, each measured
 * against its reference in the same run, prints the tables and writes
 * `bench/results/<date>-<scenario>.md`. Never part of `npm test`.
 */
import { resolve } from "node:path";
import { publish, type ScenarioReport } from "./lib/report.js";
import { LazyCluster, type BenchCluster } from "./lib/cluster.js";
import { informerScenario, queueScenario } from "./scenarios/runtime.js";
import { s1Apps } from "./scenarios/s1-apps.js";
import { s2Large } from "./scenarios/s2-large.js";
import { s3Drift } from "./scenarios/s3-drift.js";
import { s4Git } from "./scenarios/s4-git.js";
import { s5Render } from "./scenarios/s5-render.js";
import { s5lBigTrees } from "./scenarios/s5l-big-trees.js";
import { s6Capacity } from "./scenarios/s6-capacity.js";
import { s7Receiver } from "./scenarios/s7-receiver.js";
import { s8Oci } from "./scenarios/s8-oci.js";
import { s9Fairness } from "./scenarios/s9-fairness.js";

/** What every scenario gets. */
export interface BenchContext {
  quick: boolean;
  repoRoot: string;
  log: (line: string) => void;
  /** The local control plane, started on first use and shared by the run. */
  cluster: () => Promise<BenchCluster>;
  /** Stops the control plane; the next `cluster()` starts a fresh one (empty etcd). */
  resetCluster: () => Promise<void>;
}

const SCENARIOS: Record<string, (ctx: BenchContext) => Promise<ScenarioReport>> = {
  S1: s1Apps,
  S2: s2Large,
  S3: s3Drift,
  S4: s4Git,
  S5: s5Render,
  S5L: s5lBigTrees,
  S6: s6Capacity,
  S7: s7Receiver,
  S8: s8Oci,
  S9: s9Fairness,
  QUEUE: queueScenario,
  INFORMER: informerScenario,
};

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const quick = args.includes("--quick");
  const onlyIdx = args.indexOf("--only");
  const only = onlyIdx >= 0 ? (args[onlyIdx + 1] ?? "").split(",") : Object.keys(SCENARIOS);
  const repoRoot = resolve(import.meta.dirname, "..");
  const log = (l: string): void => console.error(l);
  let cluster = new LazyCluster(log);
  const resetCluster = async (): Promise<void> => {
    await cluster.stop();
    cluster = new LazyCluster(log);
  };
  const ctx: BenchContext = { quick, repoRoot, log, cluster: () => cluster.get(), resetCluster };
  for (const name of only) {
    if (!SCENARIOS[name])
      throw new Error(`unknown scenario ${name}; known: ${Object.keys(SCENARIOS).join(", ")}`);
  }
  const started = Date.now();
  try {
    for (const name of only) {
      const scenario = SCENARIOS[name];
      if (!scenario) continue;
      ctx.log(`[bench] ${name}${quick ? " (quick)" : ""}...`);
      const scenarioStarted = Date.now();
      const file = await publish(await scenario(ctx), resolve(repoRoot, "bench", "results"), quick);
      ctx.log(`[bench] ${name} written to ${file} (${Math.round((Date.now() - scenarioStarted) / 1000)} s)`);
      // A fresh control plane per scenario: leftovers of one (objects, terminating namespaces,
      // watch load) must not colour the next one's figures.
      await resetCluster();
    }
  } finally {
    await cluster.stop();
    const s = Math.round((Date.now() - started) / 1000);
    ctx.log(`[bench] ${only.join(",")}${quick ? " (quick)" : ""} took ${Math.floor(s / 60)} min ${s % 60} s`);
  }
}

await main();
