import { readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { build, render } from "../../src/kustomize/index.js";
import { measureCommand, selfPeakRssKb, timeIt } from "../lib/measure.js";
import type { ScenarioReport } from "../lib/report.js";
import { formatMs, ratio, summarise } from "../lib/stats.js";
import type { BenchContext } from "../run.js";

interface Root {
  root: string;
  expected: string;
}

/** Corpus roots the reference builds (`ok` rows of index.tsv), with their expected-output path. */
function okRoots(corpus: string): Root[] {
  return readFileSync(join(corpus, "index.tsv"), "utf8")
    .trim()
    .split("\n")
    .slice(1)
    .map((line) => line.split("\t"))
    .filter((cols) => cols[2] === "ok")
    .map((cols) => ({ root: cols[0] ?? "", expected: cols[1] ?? "" }));
}

async function mooringPass(corpus: string, roots: Root[]): Promise<{ ms: number; failures: number }> {
  let failures = 0;
  const { ms } = await timeIt(async () => {
    for (const r of roots) {
      try {
        render(await build(join(corpus, r.root)));
      } catch {
        failures++;
      }
    }
  });
  return { ms, failures };
}

async function kubectlPass(corpus: string, roots: Root[]): Promise<{ ms: number; peakRssKb: number }> {
  let ms = 0;
  let peakRssKb = 0;
  for (const r of roots) {
    const [repo, ...rest] = r.root.split("/");
    const run = await measureCommand("kubectl", ["kustomize", rest.join("/")], {
      cwd: join(corpus, repo ?? ""),
    });
    ms += run.ms;
    peakRssKb = Math.max(peakRssKb, run.peakRssKb);
  }
  return { ms, peakRssKb };
}

/**
 * S5: render every `ok` root of the kustomize corpus with mooring (in process) and with
 * `kubectl kustomize` (a process per root, as a CLI user or a naive controller would), same
 * roots, same run; then the largest root alone.
 */
export async function s5Render(ctx: BenchContext): Promise<ScenarioReport> {
  const corpus = resolve(ctx.repoRoot, "..", "shared", "kustomize-corpus");
  const roots = okRoots(corpus);
  const reps = ctx.quick ? 1 : 5;
  const ours: number[] = [];
  const theirs: number[] = [];
  let failures = 0;
  let kubectlRss = 0;
  for (let i = 0; i < reps; i++) {
    const m = await mooringPass(corpus, roots);
    ours.push(m.ms);
    failures = m.failures;
    const k = await kubectlPass(corpus, roots);
    theirs.push(k.ms);
    kubectlRss = Math.max(kubectlRss, k.peakRssKb);
  }
  const largest = [...roots].sort(
    (a, b) => statSync(join(corpus, b.expected)).size - statSync(join(corpus, a.expected)).size,
  )[0];
  const largeReps = ctx.quick ? 3 : 15;
  const largeOurs: number[] = [];
  const largeTheirs: number[] = [];
  for (let i = 0; largest && i < largeReps; i++) {
    largeOurs.push((await mooringPass(corpus, [largest])).ms);
    largeTheirs.push((await kubectlPass(corpus, [largest])).ms);
  }
  const o = summarise(ours);
  const t = summarise(theirs);
  const lo = summarise(largeOurs);
  const lt = summarise(largeTheirs);
  return {
    scenario: "S5",
    title: "render: kustomize corpus, mooring vs kubectl kustomize",
    header: ["case", "mooring", "kubectl kustomize", "speed-up"],
    rows: [
      [`all ${roots.length} ok roots (${reps} runs)`, formatMs(o), formatMs(t), ratio(t.median, o.median)],
      [
        `largest root: ${largest?.root ?? "-"} (${largeReps} runs)`,
        formatMs(lo),
        formatMs(lt),
        ratio(lt.median, lo.median),
      ],
      [
        "peak RSS",
        `${Math.round(selfPeakRssKb() / 1024)} MiB (whole bench process)`,
        `${Math.round(kubectlRss / 1024)} MiB (largest of one process per root)`,
        "",
      ],
    ],
    notes: [
      `mooring failed to build ${failures} of the ${roots.length} roots (still timed; fidelity is the unit test's job).`,
      "kubectl kustomize is timed per process, start-up included: that is what rendering with a binary per build costs.",
    ],
  };
}
