import { gitScenario } from "../git.js";
import type { ScenarioReport } from "../lib/report.js";
import type { BenchContext } from "../run.js";

/**
 * S4: the source controller's artifact and no-op poll against git itself, measured by the
 * standalone bench/git.ts and reported under the harness's scenario name.
 */
export async function s4Git(ctx: BenchContext): Promise<ScenarioReport> {
  const report = await gitScenario(ctx);
  return { ...report, scenario: "S4", title: `git: ${report.title}` };
}
