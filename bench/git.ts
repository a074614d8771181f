/**
 * Source-controller bench (issue 4): `npx tsx bench/git.ts [--quick]`.
 *
 * Serves a reproducibly generated repository (≥ 2,000 YAML files, ≥ 30 MB) from the test git
 * server and measures, in the same run:
 * - producing the artifact with mooring (fresh cache: fetch depth 1, reproducible
 *   tar.gz) against `git clone --depth 1` plus `tar czf`, time and peak RSS, as ratios;
 * - a no-op poll (mooring's protocol-v2 ref discovery) against `git ls-remote`.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { startGitServer } from "../src/dev/git-server/index.js";
import { gitAuthFor, parseRepositoryUrl } from "../src/source/git-auth.js";
import { GitClient } from "../src/source/git-client.js";
import { refStrategy } from "../src/source/ref.js";
import { commitGeneratedTree, FULL_SHAPE, QUICK_SHAPE } from "./git-repo.js";
import { sshRows } from "./git-ssh.js";
import { measureCommand, timeIt } from "./lib/measure.js";
import { publish, type ScenarioReport } from "./lib/report.js";
import { formatMs, ratio, summarise } from "./lib/stats.js";

interface Ctx {
  readonly quick: boolean;
  readonly repoRoot: string;
  readonly log: (line: string) => void;
}

interface Sample {
  ms: number;
  wallMs: number;
  rssKb: number;
}

async function mooringArtifact(ctx: Ctx, url: string, out: string): Promise<Sample> {
  const run = await measureCommand(
    "npx",
    ["tsx", join(ctx.repoRoot, "bench", "git-archive.ts"), url, "main", out],
    { cwd: ctx.repoRoot },
  );
  if (run.code !== 0) throw new Error(`git-archive failed: ${run.stderr}`);
  const line = JSON.parse(run.stdout.trim().split("\n").at(-1) ?? "{}") as { ms: number; peakRssKb: number };
  return { ms: line.ms, wallMs: run.ms, rssKb: line.peakRssKb };
}

async function gitReference(url: string, dir: string): Promise<Sample> {
  const script = `git clone -q --depth 1 ${url} ${dir}/clone && tar czf ${dir}/ref.tar.gz -C ${dir}/clone .`;
  const run = await measureCommand("sh", ["-c", script]);
  if (run.code !== 0) throw new Error(`git reference failed: ${run.stderr}`);
  await rm(join(dir, "clone"), { recursive: true, force: true });
  return { ms: run.ms, wallMs: run.ms, rssKb: run.peakRssKb };
}

async function noopPolls(
  url: string,
  runs: number,
  cacheRoot: string,
): Promise<{ ours: number[]; ref: number[] }> {
  const client = new GitClient({ cacheRoot });
  const target = { auth: gitAuthFor(parseRepositoryUrl(url), undefined), cacheKey: "bench/noop" };
  const strategy = refStrategy({ branch: "main" });
  await client.resolve(target, strategy);
  const ours: number[] = [];
  const ref: number[] = [];
  for (let i = 0; i < runs; i++) {
    ours.push((await timeIt(() => client.resolve(target, strategy))).ms);
    ref.push((await measureCommand("git", ["ls-remote", url, "refs/heads/main"])).ms);
  }
  return { ours, ref };
}

const median = (xs: number[]): number => summarise(xs).median;

/** Runs the scenario and returns its report. */
export async function gitScenario(ctx: Ctx): Promise<ScenarioReport> {
  const shape = ctx.quick ? QUICK_SHAPE : FULL_SHAPE;
  const runs = ctx.quick ? 2 : 5;
  const server = await startGitServer();
  const dir = await mkdtemp(join(tmpdir(), "mooring-bench-git-"));
  try {
    const repo = await server.createRepo("bench");
    const tree = await commitGeneratedTree(repo, shape);
    ctx.log(
      `[bench] git: ${tree.files} files, ${(tree.bytes / 1e6).toFixed(1)} MB, commit ${tree.sha.slice(0, 12)}`,
    );
    const ours: Sample[] = [];
    const ref: Sample[] = [];
    for (let i = 0; i < runs; i++) {
      ref.push(await gitReference(repo.url, dir));
      ours.push(await mooringArtifact(ctx, repo.url, join(dir, `ours-${i}.tar.gz`)));
    }
    const noop = await noopPolls(repo.url, runs * 4, join(dir, "noop-cache"));
    const ssh = await sshRows(ctx.repoRoot, repo, dir, runs);
    const t = (xs: Sample[], k: keyof Sample): number[] => xs.map((x) => x[k]);
    return {
      scenario: "S-GIT",
      title: `GitRepository artifact of a generated repository (${tree.files} YAML files, ${(tree.bytes / 1e6).toFixed(1)} MB)`,
      header: ["measure", "mooring", "git reference", "ratio (reference / mooring)"],
      rows: [
        [
          "artifact time (fetch + tar.gz)",
          formatMs(summarise(t(ours, "ms"))),
          formatMs(summarise(t(ref, "ms"))),
          ratio(median(t(ref, "ms")), median(t(ours, "ms"))),
        ],
        [
          "artifact wall time incl. process start",
          formatMs(summarise(t(ours, "wallMs"))),
          formatMs(summarise(t(ref, "wallMs"))),
          ratio(median(t(ref, "wallMs")), median(t(ours, "wallMs"))),
        ],
        [
          "peak RSS",
          `${(median(t(ours, "rssKb")) / 1024).toFixed(0)} MiB`,
          `${(median(t(ref, "rssKb")) / 1024).toFixed(0)} MiB`,
          ratio(median(t(ref, "rssKb")), median(t(ours, "rssKb"))),
        ],
        [
          "no-op poll (ref discovery)",
          formatMs(summarise(noop.ours)),
          formatMs(summarise(noop.ref)),
          ratio(median(noop.ref), median(noop.ours)),
        ],
        ...ssh.rows,
      ],
      notes: [
        "git reference: `git clone --depth 1` then `tar czf` of the checkout, in one shell, through the same loopback git server.",
        "mooring: bench/git-archive.ts in its own process (fresh cache): isomorphic-git v2 ls-refs, depth-1 fetch with the pack streamed to disk and indexed as it arrives (src/source/git-fetch.ts), reproducible tar.gz written straight from the git objects with native inflate, gzip on the libuv threadpool (the controller's path without includes); time measured inside the process, RSS of the whole Node process (tsx and Node baseline included).",
        "no-op poll: GitClient.resolve (one protocol-v2 ls-refs, warm process) vs `git ls-remote <url> refs/heads/main` (includes git's process start).",
        ...ssh.notes,
        `Ratios > 1 mean mooring is faster / smaller. ${runs} runs each (no-op polls: ${runs * 4}), median shown.`,
      ],
    };
  } finally {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  const quick = process.argv.includes("--quick");
  const repoRoot = resolve(import.meta.dirname, "..");
  const report = await gitScenario({ quick, repoRoot, log: (l) => console.error(l) });
  await publish(report, resolve(repoRoot, "bench", "results"), quick);
}
