/**
 * `npm run bench [-- --quick] [-- --only S5,S4]`: runs the benchmark scenarios, each measured
 * against its reference in the same run, prints the tables and writes
 * `bench/results/<date>-<scenario>.md`. Never part of `npm test`.
 */
import { resolve } from "node:path";
import { publish, type ScenarioReport } from "./lib/report.js";
import { s5Render } from "./scenarios/s5-render.js";

/** What every scenario gets. */
export interface BenchContext {
  quick: boolean;
  repoRoot: string;
  log: (line: string) => void;
}

const SCENARIOS: Record<string, (ctx: BenchContext) => Promise<ScenarioReport>> = {
  S5: s5Render,
};

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const quick = args.includes("--quick");
  const onlyIdx = args.indexOf("--only");
  const only = onlyIdx >= 0 ? (args[onlyIdx + 1] ?? "").split(",") : Object.keys(SCENARIOS);
  const repoRoot = resolve(import.meta.dirname, "..");
  const ctx: BenchContext = { quick, repoRoot, log: (l) => console.error(l) };
  for (const name of only) {
    const scenario = SCENARIOS[name];
    if (!scenario) throw new Error(`unknown scenario ${name}; known: ${Object.keys(SCENARIOS).join(", ")}`);
    ctx.log(`[bench] ${name}${quick ? " (quick)" : ""}...`);
    const file = await publish(await scenario(ctx), resolve(repoRoot, "bench", "results"), quick);
    ctx.log(`[bench] ${name} written to ${file}`);
  }
}

await main();
