import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";

/**
 * The public kustomize corpus (issue 18) as the repository keeps it: a manifest of roots with the
 * sha256 of kubectl's output, and a list of the input files with their sha256. The files
 * themselves live outside the repository (fetched by `fetch.ts`, see the README next to the
 * manifest), in the corpus home.
 */

/** Where the manifest, the file list and the README are kept in this repository. */
export const MANIFEST_DIR = path.resolve(import.meta.dirname, "../../test/kustomize-corpus-public");
export const CORPUS_MANIFEST = "manifest.tsv";
export const CORPUS_FILES = "files.tsv";

/** Where the fetched input trees live: `MOORING_KUSTOMIZE_CORPUS_PUBLIC` or the user cache. */
export function corpusHome(): string {
  return path.resolve(process.env["MOORING_KUSTOMIZE_CORPUS_PUBLIC"] ?? path.join(homedir(), ".cache/mooring/kustomize-corpus-public"));
}

/** One root: where it is, where it came from, and what kubectl kustomize (v5.5.0) made of it. */
export interface ManifestRow {
  /** `<owner>/<name>/<path in the repository>`, relative to the corpus home. */
  root: string;
  repo: string;
  commit: string;
  licence: string;
  outcome: "ok" | "error";
  /** sha256 of kubectl's stdout (`ok` rows). */
  outputSha256: string;
  /** kubectl's error line (`error` rows), for the cause. */
  errorPhrase: string;
}

/** One input file a root reads. */
export interface CorpusFile {
  repo: string;
  path: string;
  sha256: string;
}

const COLUMNS = ["root", "repo", "commit", "licence", "outcome", "output_sha256", "error_phrase"];

export function manifestHeader(): string {
  return COLUMNS.join("\t");
}

export function manifestLine(r: ManifestRow): string {
  return [r.root, r.repo, r.commit, r.licence, r.outcome, r.outputSha256, r.errorPhrase.replace(/[\t\n]/g, " ")].join("\t");
}

function tsvRows(file: string): string[][] {
  return readFileSync(file, "utf8")
    .split("\n")
    .slice(1)
    .filter((l) => l !== "")
    .map((l) => l.split("\t"));
}

export function readManifest(dir = MANIFEST_DIR): ManifestRow[] {
  return tsvRows(path.join(dir, CORPUS_MANIFEST)).map(([root, repo, commit, licence, outcome, outputSha256, errorPhrase]) => ({
    root: root!,
    repo: repo!,
    commit: commit!,
    licence: licence!,
    outcome: outcome === "error" ? "error" : "ok",
    outputSha256: outputSha256 ?? "",
    errorPhrase: errorPhrase ?? "",
  }));
}

export function readFileList(dir = MANIFEST_DIR): CorpusFile[] {
  return tsvRows(path.join(dir, CORPUS_FILES)).map(([repo, p, sha256]) => ({ repo: repo!, path: p!, sha256: sha256! }));
}
