import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { type CorpusFile, corpusHome, readFileList, readManifest } from "./manifest.js";

/**
 * Brings the public kustomize corpus's input files (issue 18) into the corpus home: for each
 * repository, a shallow, blob-less, sparse git fetch of the pinned commit that checks out only the
 * files the roots read, then a sha256 check of every file against files.tsv. Repositories already
 * complete are left alone, so a second run costs nothing.
 *
 * `npm run corpus:fetch` (or `npx tsx scripts/kustomize-corpus/fetch.ts`). The git URL of a
 * repository is `MOORING_CORPUS_GIT_URL` with `{owner}` and `{name}` replaced (default
 * `https://github.com/{owner}/{name}`), so a local mirror serves as well.
 */

/** Written into a repository's tree once every file is there and verified. */
export const STAMP = ".corpus-commit";

const LOCAL_UPLOAD_PACK = "git -c uploadpack.allowFilter=true -c uploadpack.allowAnySHA1InWant=true upload-pack";

export interface FetchResult {
  repo: string;
  ok: boolean;
  message: string;
}

function git(args: string[], cwd: string, timeoutMs: number): { ok: boolean; out: string } {
  const r = spawnSync("git", args, { cwd, encoding: "utf8", timeout: timeoutMs, maxBuffer: 64 << 20 });
  return { ok: r.status === 0, out: `${r.stdout ?? ""}${r.stderr ?? ""}`.trim() };
}

function lastLine(out: string): string {
  return out.split("\n").filter((l) => l.trim() !== "").pop() ?? "";
}

function urlOf(repo: string): string {
  const [owner, name] = repo.split("/");
  const template = process.env["MOORING_CORPUS_GIT_URL"] ?? "https://github.com/{owner}/{name}";
  return template.replaceAll("{owner}", owner!).replaceAll("{name}", name!);
}

/** True when the repository's tree in the corpus home is complete at `commit`. */
export function isComplete(home: string, repo: string, commit: string): boolean {
  const stamp = path.join(home, repo, STAMP);
  return existsSync(stamp) && readFileSync(stamp, "utf8").trim() === commit;
}

function verify(tree: string, files: CorpusFile[]): string[] {
  return files.filter((f) => {
    const p = path.join(tree, f.path);
    return !existsSync(p) || createHash("sha256").update(readFileSync(p)).digest("hex") !== f.sha256;
  }).map((f) => f.path);
}

/** Fetches one repository's files at `commit` into `<home>/<repo>` and verifies them. */
/** A repository at a commit, and the files wanted from it. */
export interface RepoPin {
  repo: string;
  commit: string;
  files: CorpusFile[];
}

export function fetchRepo(home: string, pin: RepoPin, timeoutMs = 300_000): FetchResult {
  const { repo, commit, files } = pin;
  if (isComplete(home, repo, commit)) return { repo, ok: true, message: "already there" };
  // Work aside and move into place only when complete: a failed or concurrent fetch leaves
  // whatever tree was there untouched.
  const work = mkdtempSync(path.join(home, ".fetch-"));
  try {
    const problem = fetchInto(work, pin, timeoutMs);
    if (problem !== undefined) return { repo, ok: false, message: problem };
    writeFileSync(path.join(work, "tree", STAMP), commit + "\n");
    const tree = path.join(home, repo);
    rmSync(tree, { recursive: true, force: true });
    mkdirSync(path.dirname(tree), { recursive: true });
    renameSync(path.join(work, "tree"), tree);
    return { repo, ok: true, message: `${files.length} files` };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The sparse, blob-less checkout of the pin's files into `<work>/tree`; a problem, or undefined. */
function fetchInto(work: string, { repo, commit, files }: RepoPin, timeoutMs: number): string | undefined {
  const tree = path.join(work, "tree");
  const gitDir = path.join(work, "git");
  mkdirSync(tree, { recursive: true });
  const steps: string[][] = [
    ["init", "-q", `--separate-git-dir=${gitDir}`, "."],
    ["remote", "add", "origin", urlOf(repo)],
    // A local mirror (file://) serves a partial fetch by commit only when told to.
    ...(urlOf(repo).startsWith("file://") ? [["config", "remote.origin.uploadpack", LOCAL_UPLOAD_PACK]] : []),
    ["fetch", "-q", "--depth=1", "--filter=blob:none", "origin", commit],
  ];
  for (const step of steps) {
    const r = git(step, tree, timeoutMs);
    if (!r.ok) return `git ${step[0]}: ${lastLine(r.out)}`;
  }
  const sparse = spawnSync("git", ["sparse-checkout", "set", "--no-cone", "--stdin"], {
    cwd: tree,
    input: files.map((f) => `/${f.path}\n`).join(""),
    encoding: "utf8",
  });
  if (sparse.status !== 0) return `git sparse-checkout: ${lastLine(sparse.stderr)}`;
  const co = git(["checkout", "-q", commit], tree, timeoutMs);
  if (!co.ok) return `git checkout: ${lastLine(co.out)}`;
  rmSync(path.join(tree, ".git"), { force: true });
  const bad = verify(tree, files);
  return bad.length > 0 ? `${bad.length} files missing or not as recorded, e.g. ${bad[0]}` : undefined;
}

/** Fetches every repository of the manifest; stops at the first one that cannot be reached. */
export function fetchCorpus(home = corpusHome(), log: (s: string) => void = console.log): FetchResult[] {
  const rows = readManifest();
  const files = readFileList();
  const commits = new Map(rows.map((r) => [r.repo, r.commit]));
  const results: FetchResult[] = [];
  mkdirSync(home, { recursive: true });
  for (const [repo, commit] of commits) {
    const r = fetchRepo(home, { repo, commit, files: files.filter((f) => f.repo === repo) });
    log(`${r.ok ? "ok  " : "FAIL"} ${repo}@${commit.slice(0, 12)}: ${r.message}`);
    results.push(r);
    if (!r.ok && results.every((x) => !x.ok)) break; // the first repository failed: most likely no network
  }
  return results;
}

if (process.argv[1] && import.meta.url === `file://${path.resolve(process.argv[1])}`) {
  const results = fetchCorpus();
  process.exitCode = results.every((r) => r.ok) ? 0 : 1;
}
