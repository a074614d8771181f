import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { buildSync, render } from "../../src/kustomize/index.js";
import { corpusHome, readManifest } from "../../scripts/kustomize-corpus/manifest.js";
import { isComplete } from "../../scripts/kustomize-corpus/fetch.js";
import { ensureKrustyBench } from "../krusty/build.js";
import { runKrusty } from "../krusty/run.js";
import type { ScenarioReport } from "../lib/report.js";
import { ratio, summarise, type Stats } from "../lib/stats.js";
import type { BenchContext } from "../run.js";
import { okRoots } from "./s5-render.js";

/** How many of the largest roots the table covers (issue 18 item 4). */
const ROOTS = 5;

/** A corpus root: where its corpus is, its path there, and the sha256 of kubectl's output. */
interface BigRoot {
  corpus: string;
  /** `<repo>/<path>`, relative to `corpus` (what krusty-bench takes). */
  root: string;
  /** The repository's top directory: kubectl (and the CLI) run there with `rel`, as the oracle did. */
  cwd: string;
  rel: string;
  sha256: string;
  bytes: number;
}

/** One process run: wall time, CPU time (user + system) and what it printed. */
interface ProcessRun {
  ms: number;
  cpuMs: number;
  code: number;
  stdout: Buffer;
  stderr: string;
}

const sha = (b: Buffer | string): string => createHash("sha256").update(b).digest("hex");

/** Runs a command under GNU time (for its CPU time); stdout is kept as bytes, to hash. */
function run(cmd: string, args: string[], cwd: string): Promise<ProcessRun> {
  return new Promise((done, fail) => {
    const started = process.hrtime.bigint();
    const child = spawn("/usr/bin/time", ["-f", "__CPU__%U %S", cmd, ...args], { cwd });
    const out: Buffer[] = [];
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => out.push(c));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("error", fail);
    child.on("close", (code) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const m = /__CPU__([\d.]+) ([\d.]+)\s*$/.exec(stderr);
      const cpuMs = m ? (Number(m[1]) + Number(m[2])) * 1000 : Number.NaN;
      done({
        ms,
        cpuMs,
        code: code ?? 1,
        stdout: Buffer.concat(out),
        stderr: stderr.replace(/__CPU__.*\s*$/, ""),
      });
    });
  });
}

/** `ok` roots of the shared corpus, sized by their expected output files. */
function sharedRoots(corpus: string): BigRoot[] {
  return okRoots(corpus).map(({ root, expected, sha256 }) => {
    const [repo = "", ...rest] = root.split("/");
    return {
      corpus,
      root,
      cwd: join(corpus, repo),
      rel: rest.join("/"),
      sha256,
      bytes: statSync(join(corpus, expected)).size,
    };
  });
}

/**
 * `ok` roots of the public corpus whose files are fetched. The manifest keeps no output sizes, so
 * each is rendered here once; a root whose output is not kubectl's (by sha256) fails the scenario.
 */
function publicRoots(home: string, log: (l: string) => void): BigRoot[] {
  const rows = readManifest().filter((r) => r.outcome === "ok" && isComplete(home, r.repo, r.commit));
  log(
    `[bench] S5L: sizing ${rows.length} public corpus roots (rendered in process, checked against kubectl's sha256)`,
  );
  return rows.map((r) => {
    const text = render(buildSync(join(home, r.root)));
    if (sha(text) !== r.outputSha256) throw new Error(`S5L: ${r.root} does not render as kubectl does`);
    const rel = r.root.slice(r.repo.length + 1) || ".";
    return {
      corpus: home,
      root: r.root,
      cwd: join(home, r.repo),
      rel,
      sha256: r.outputSha256,
      bytes: Buffer.byteLength(text),
    };
  });
}

/** The mooring CLI as shipped (package.json "bin"), compiled from this tree unless one is given. */
function mooringCli(ctx: BenchContext): string {
  const given = process.env["MOORING_BENCH_CLI"];
  if (given) return resolve(given);
  ctx.log("[bench] S5L: compiling the CLI (tsc -p tsconfig.build.json)");
  const tsc = spawnSync(
    process.execPath,
    [join(ctx.repoRoot, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.build.json"],
    {
      cwd: ctx.repoRoot,
      encoding: "utf8",
    },
  );
  if (tsc.status !== 0) throw new Error(`S5L: tsc failed: ${tsc.stdout}${tsc.stderr}`);
  return join(ctx.repoRoot, "dist/src/cli/bin.js");
}

const sec = (s: Stats): string =>
  `${(s.median / 1000).toFixed(2)} s (${(s.min / 1000).toFixed(2)}–${(s.max / 1000).toFixed(2)})`;
const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`;

interface RootTimes {
  cli: number[];
  cliCpu: number[];
  kubectl: number[];
  kubectlCpu: number[];
  inProcess: number[];
  cliMatches: boolean;
}

/** Times the CLI and kubectl on one root, alternating, then mooring's engine in this process. */
async function timeRoot(r: BigRoot, cli: string, reps: number): Promise<RootTimes> {
  const t: RootTimes = { cli: [], cliCpu: [], kubectl: [], kubectlCpu: [], inProcess: [], cliMatches: true };
  for (let i = 0; i < reps; i++) {
    const m = await run(process.execPath, [cli, "build", r.rel], r.cwd);
    if (m.code !== 0) throw new Error(`S5L: mooring build ${r.root} failed: ${m.stderr.trim()}`);
    if (sha(m.stdout) !== r.sha256) t.cliMatches = false;
    t.cli.push(m.ms);
    t.cliCpu.push(m.cpuMs);
    const k = await run("kubectl", ["kustomize", r.rel], r.cwd);
    if (k.code !== 0) throw new Error(`S5L: kubectl kustomize ${r.root} failed: ${k.stderr.trim()}`);
    t.kubectl.push(k.ms);
    t.kubectlCpu.push(k.cpuMs);
  }
  render(buildSync(join(r.cwd, r.rel))); // warm-up
  for (let i = 0; i < reps; i++) {
    const started = process.hrtime.bigint();
    render(buildSync(join(r.cwd, r.rel)));
    t.inProcess.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  return t;
}

/** The Go kustomize library on one root: warm with the schema shared, and reset per build as Flux. */
async function goTimes(
  binary: string,
  r: BigRoot,
  reps: number,
): Promise<{ warm: Stats; flux: Stats; ok: boolean }> {
  const request = { corpus: r.corpus, roots: [{ root: r.root, sha256: r.sha256 }] };
  const shared = await runKrusty(binary, { ...request, passes: reps + 1 });
  const flux = await runKrusty(binary, { ...request, passes: reps, resetOpenapi: true });
  const ok = shared.failedRoots.length + shared.mismatchedRoots.length + flux.failedRoots.length === 0;
  return { warm: summarise(shared.allMs.slice(1)), flux: summarise(flux.allMs), ok };
}

/**
 * S5L: the largest roots of the kustomize corpora (shared and public) by output size, rendered by
 * the mooring CLI as shipped (`node dist/src/cli/bin.js build`, a process per build, start-up
 * included), by `kubectl kustomize` (likewise), and by the Go kustomize library in one process
 * (bench/krusty), in one run. Issue 18 item 4 asks for ≥ 3× kubectl and faster than Go in process.
 */
export async function s5lBigTrees(ctx: BenchContext): Promise<ScenarioReport> {
  const shared = resolve(ctx.repoRoot, "..", "shared", "kustomize-corpus");
  const home = corpusHome();
  const candidates = [...(existsSync(shared) ? sharedRoots(shared) : []), ...publicRoots(home, ctx.log)];
  const roots = candidates.sort((a, b) => b.bytes - a.bytes).slice(0, ROOTS);
  const reps = ctx.quick ? 2 : 5;
  const cli = mooringCli(ctx);
  const krusty = await ensureKrustyBench(ctx.log);
  const rows: string[][] = [];
  let allMatch = true;
  for (const r of roots) {
    ctx.log(`[bench] S5L: ${r.root} (${mb(r.bytes)}), ${reps} runs each`);
    const t = await timeRoot(r, cli, reps);
    const go = await goTimes(krusty, r, reps);
    allMatch &&= t.cliMatches && go.ok;
    const [cliS, kS] = [summarise(t.cli), summarise(t.kubectl)];
    const [cliCpu, kCpu] = [summarise(t.cliCpu), summarise(t.kubectlCpu)];
    rows.push([
      `${r.root} (${mb(r.bytes)})`,
      sec(cliS),
      sec(kS),
      ratio(kS.median, cliS.median),
      sec(go.warm),
      ratio(go.warm.median, cliS.median),
      sec(go.flux),
      ratio(go.flux.median, cliS.median),
      `${(cliCpu.median / 1000).toFixed(2)} / ${(kCpu.median / 1000).toFixed(2)} s (${ratio(kCpu.median, cliCpu.median)})`,
      sec(summarise(t.inProcess)),
    ]);
  }
  return {
    scenario: "S5L",
    title:
      "render: the 5 largest corpus roots, mooring CLI vs kubectl kustomize vs the Go kustomize library in process",
    header: [
      "root (output size)",
      "mooring CLI (process per build)",
      "kubectl kustomize",
      "speed-up",
      "Go kustomize/api in process, warm",
      "speed-up",
      "Go in process, schema reset per build (as Flux)",
      "speed-up",
      "CPU user+sys, mooring CLI / kubectl (median)",
      "mooring engine in process, warm",
    ],
    rows,
    notes: notes(reps, cli, allMatch),
  };
}

function notes(reps: number, cli: string, allMatch: boolean): string[] {
  return [
    `Roots: the ${ROOTS} largest \`ok\` roots by output size across ../shared/kustomize-corpus and the public corpus (test/kustomize-corpus-public, fetched into ${corpusHome()}); every mooring CLI output and every Go output ${allMatch ? "was byte-identical to kubectl's (sha256)" : "WAS NOT all byte-identical to kubectl's: see the log"}.`,
    `Times are medians over ${reps} runs (min–max). The CLI and kubectl run alternately, each as a process per build from the repository's top directory with the root as a relative path (as the corpus's oracle ran kubectl): wall time includes process start. The CLI is ${process.env["MOORING_BENCH_CLI"] ? `MOORING_BENCH_CLI=${cli}` : "node dist/src/cli/bin.js, compiled from this tree as package.json's bin ships it"}, on ${process.execPath} (${process.version}).`,
    "The Go columns run the kustomize library Flux's kustomize-controller v1.9.5 pins in one process (bench/krusty/main.go), timed inside it, so process start is excluded: warm = the passes after the first (schema loaded once and shared); as Flux = schema reset and reloaded before every build, every pass counts.",
    "CPU time (user + system, GNU time) is shown because wall time on a shared machine depends on its load; Go's GC runs on other threads, so kubectl's CPU time can exceed its share of wall time.",
    "The last column is mooring's engine (build + render) called in the bench process after a warm-up: what a controller's build costs without process start.",
  ];
}
