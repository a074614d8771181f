import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { STAMP } from "./fetch.js";
import { CORPUS_FILES, CORPUS_MANIFEST, corpusHome, MANIFEST_DIR, type ManifestRow, manifestHeader, manifestLine } from "./manifest.js";

/**
 * Developer tool (issue 18): grows the public kustomize corpus from repository snapshots.
 *
 * `npx tsx scripts/kustomize-corpus/collect.ts <gitDir> <owner/name> <licence>` takes the snapshot's
 * HEAD, finds every kustomization root in it, builds each with `kubectl kustomize` under strace to
 * learn which files the build reads, copies only those files (and LICENSE) into the corpus home,
 * rebuilds from the copy (the output must not depend on anything left behind) and appends the
 * repository's rows to the manifest. Roots that need the network are left out. The manifest and
 * the file list, not the files, are what the repository keeps; `fetch.ts` brings the files back.
 */

const KUBECTL = "/usr/bin/kubectl";
const KUSTOMIZATION_FILE = /(^|\/)(kustomization\.ya?ml|Kustomization)$/;
/** kubectl's messages when a build needs the network (remote bases, URLs): such roots are left out. */
const NETWORK = /no such host|dial tcp|Could not resolve host|git cmd|fetch|https?:\/\/|cloning|timed out|timeout/i;

interface Built {
  rc: number;
  stdout: string;
  stderr: string;
  read: string[];
}

function run(cmd: string, args: string[], cwd: string, input?: Buffer): { rc: number; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { cwd, input, maxBuffer: 1 << 30, encoding: "utf8", timeout: 180_000 });
  return { rc: r.status ?? 1, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
}

/** Builds `root` (relative to `cwd`) with kubectl under strace; `read` lists the regular files opened under cwd. */
function traced(cwd: string, root: string): Built {
  const trace = path.join(mkdtempSync(path.join(tmpdir(), "corpus-trace-")), "t");
  const r = run("strace", ["-f", "-qq", "-e", "trace=openat", "-o", trace, KUBECTL, "kustomize", root], cwd);
  const read = new Set<string>();
  for (const line of readFileSync(trace, "utf8").split("\n")) {
    const m = /openat\([^,]+, "([^"]+)", ([^)]*)\) = (\d+)/.exec(line);
    if (!m || m[2]!.includes("O_DIRECTORY")) continue;
    const abs = path.resolve(cwd, m[1]!);
    if (!abs.startsWith(cwd + "/")) continue;
    if (existsSync(abs) && statSync(abs).isFile()) read.add(path.relative(cwd, abs));
  }
  rmSync(path.dirname(trace), { recursive: true, force: true });
  return { ...r, read: [...read].sort() };
}

function sha256(data: string | Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}

/** The error's key phrase: kubectl's first line without paths, for the row's cause. */
function errorPhrase(stderr: string, src: string): string {
  const lines = stderr.split("\n");
  const multi = lines.findIndex((l) => l.endsWith('"command failed" err=<'));
  if (multi >= 0) {
    const body = lines.slice(multi + 1).filter((l) => l.startsWith("\t")).map((l) => l.trim());
    return body.join(" ").replaceAll(src + "/", "").slice(0, 2000);
  }
  const klog = lines.map((l) => /"command failed" err="(.*)"$/.exec(l)?.[1]).find((m) => m !== undefined);
  const line = klog !== undefined ? JSON.parse(`"${klog}"`) as string : (lines.find((l) => l.startsWith("error:")) ?? lines[0] ?? "");
  return line.replace(/^error: /, "").replaceAll(src + "/", "").replace(/\s+/g, " ").slice(0, 2000);
}

function rootsOf(tree: string): string[] {
  const out = spawnSync("git", ["ls-files", "-z"], { cwd: tree, encoding: "utf8", maxBuffer: 1 << 30 });
  const files = out.status === 0 ? out.stdout.split("\0") : listFiles(tree);
  return [...new Set(files.filter((f) => KUSTOMIZATION_FILE.test(f)).map((f) => path.dirname(f)))].sort();
}

function listFiles(dir: string, prefix = ""): string[] {
  const out: string[] = [];
  for (const e of readdirSync(path.join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...listFiles(dir, rel));
    else if (e.isFile()) out.push(rel);
  }
  return out;
}

/** Files the snapshot lacks (its largest blobs): a root that reads one is left out. */
let missingInSnapshot: string[] = [];

function extract(gitDir: string, into: string): string {
  mkdirSync(into, { recursive: true });
  const commit = run("git", ["--git-dir", gitDir, "rev-parse", "HEAD"], into).stdout.trim();
  // Snapshots lack their largest blobs: leave those paths out of the archive.
  const tree = run("git", ["--git-dir", gitDir, "ls-tree", "-r", "-z", commit], into).stdout.split("\0").filter((l) => l !== "");
  const blobs = tree.map((l) => /^\d+ blob (\w+)\t(.*)$/s.exec(l)).filter((m) => m !== null);
  const check = spawnSync("git", ["--git-dir", gitDir, "cat-file", "--batch-check"], { input: blobs.map((m) => m[1]).join("\n") + "\n", encoding: "utf8", maxBuffer: 1 << 28 });
  const missing = check.stdout.split("\n").map((l, i) => (l.endsWith(" missing") ? blobs[i]![2]! : undefined)).filter((p) => p !== undefined);
  missingInSnapshot = missing;
  const excludes = missing.map((p) => `:(exclude,literal)${p}`);
  const r = spawnSync("sh", ["-c", 'd="$1"; c="$2"; t="$3"; shift 3; git --git-dir="$d" archive --format=tar "$c" -- . "$@" | tar -x -C "$t"', "sh", gitDir, commit, into, ...excludes]);
  if (r.status !== 0) throw new Error(`cannot extract ${gitDir}: ${String(r.stderr)}`);
  return commit;
}

function main(): void {
  const [gitDir, repo, licence] = process.argv.slice(2);
  if (!gitDir || !repo || !licence) throw new Error("usage: collect.ts <gitDir> <owner/name> <licence>");
  const home = corpusHome();
  const src = mkdtempSync(path.join(tmpdir(), "corpus-src-"));
  const commit = extract(gitDir, src);
  const dest = path.join(home, repo);
  rmSync(dest, { recursive: true, force: true });
  const rows: ManifestRow[] = [];
  const files = new Set<string>(readdirSync(src).filter((f) => /^(LICENSE|LICENCE|COPYING)(\.md|\.txt)?$/i.test(f)));
  if (files.size === 0) throw new Error(`${repo} has no licence file at its top`);
  let network = 0;
  for (const root of rootsOf(src)) {
    const b = traced(src, root);
    if (b.rc !== 0 && NETWORK.test(b.stderr)) {
      network++;
      continue;
    }
    if (b.rc !== 0 && missingInSnapshot.some((m) => b.stderr.includes(m))) {
      console.error(`left out ${root}: it reads a file the snapshot lacks`);
      continue;
    }
    b.read.forEach((f) => files.add(f));
    rows.push({
      root: `${repo}/${root}`,
      repo,
      commit,
      licence,
      outcome: b.rc === 0 ? "ok" : "error",
      outputSha256: b.rc === 0 ? sha256(b.stdout) : "",
      errorPhrase: b.rc === 0 ? "" : errorPhrase(b.stderr, src),
    });
    const exp = path.join(home, "expected", `${repo}/${root}`.replaceAll("/", "__") + (b.rc === 0 ? ".yaml" : ".err"));
    mkdirSync(path.dirname(exp), { recursive: true });
    writeFileSync(exp, b.rc === 0 ? b.stdout : b.stderr);
  }
  for (const f of files) {
    if (!existsSync(path.join(src, f))) continue;
    mkdirSync(path.dirname(path.join(dest, f)), { recursive: true });
    cpSync(path.join(src, f), path.join(dest, f));
  }
  // Path independence: the copy, at another absolute path, must build the same.
  const kept = rows.filter((row) => {
    const r = run(KUBECTL, ["kustomize", row.root.slice(repo.length + 1)], dest);
    const same = row.outcome === "ok" ? r.rc === 0 && sha256(r.stdout) === row.outputSha256 : r.rc !== 0;
    if (!same) console.error(`dropped ${row.root}: the copy builds differently`);
    return same;
  });
  rmSync(src, { recursive: true, force: true });
  writeFileSync(path.join(dest, STAMP), commit + "\n");
  appendRows(home, repo, kept, [...files].filter((f) => existsSync(path.join(dest, f))).sort());
  console.log(`${repo}@${commit.slice(0, 12)}: ${kept.length} roots (${kept.filter((r) => r.outcome === "error").length} error), ${network} need the network, ${files.size} files`);
}

/** Replaces the repository's rows in the manifest and file list. */
function appendRows(home: string, repo: string, rows: ManifestRow[], files: string[]): void {
  const mPath = path.join(MANIFEST_DIR, CORPUS_MANIFEST);
  const fPath = path.join(MANIFEST_DIR, CORPUS_FILES);
  const keep = (p: string, header: string): string[] =>
    existsSync(p) ? readFileSync(p, "utf8").split("\n").slice(1).filter((l) => l !== "" && l.split("\t")[1] !== repo && !l.startsWith(`${repo}\t`)) : [header].slice(1);
  const manifest = [...keep(mPath, manifestHeader()), ...rows.map(manifestLine)].sort();
  writeFileSync(mPath, [manifestHeader(), ...manifest].join("\n") + "\n");
  const fileLines = files.map((f) => `${repo}\t${f}\t${sha256(readFileSync(path.join(home, repo, f)))}`);
  const allFiles = [...keep(fPath, "repo\tpath\tsha256"), ...fileLines].sort();
  writeFileSync(fPath, ["repo\tpath\tsha256", ...allFiles].join("\n") + "\n");
}

main();
