import { readFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { RowResult } from "../../src/kustomize/fidelity-runner.js";
import { runPublicRow } from "../../scripts/kustomize-corpus/check.js";
import { fetchCorpus, isComplete } from "../../scripts/kustomize-corpus/fetch.js";
import { corpusHome, MANIFEST_DIR, readManifest } from "../../scripts/kustomize-corpus/manifest.js";

/**
 * Issue 18: the public kustomize corpus, roots from public repositories the engine was not written
 * against (test/kustomize-corpus-public/README.md), renders byte for byte what `kubectl kustomize`
 * (v5.5.0) rendered, whose sha256 the manifest keeps, or fails where it failed. Every root must
 * match except those listed in known-misses.txt (classes being fixed elsewhere; each line names its
 * class, and the summary says when one starts to match so the line can go).
 *
 * The input files are not in this repository: they are fetched at pinned commits into the corpus
 * home (`npm run corpus:fetch`; this test tries once by itself unless MOORING_CORPUS_FETCH=0).
 * Without network the roots are skipped, and the summary says so.
 */
const home = corpusHome();
const rows = readManifest();
const knownMisses = new Map(
  readFileSync(path.join(MANIFEST_DIR, "known-misses.txt"), "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "" && !l.startsWith("#"))
    .map((l) => l.split("\t") as [string, string]),
);
const complete = (repo: string): boolean => isComplete(home, repo, rows.find((r) => r.repo === repo)!.commit);
const repos = [...new Set(rows.map((r) => r.repo))];
const fetchLog: string[] = [];
if (!repos.every(complete) && process.env["MOORING_CORPUS_FETCH"] !== "0") fetchCorpus(home, (s) => fetchLog.push(s));
const present = rows.filter((r) => complete(r.repo));

/**
 * Rendering the corpus is one set-up step with its own budget: a few roots are 10 MB CRD bundles
 * that alone take seconds on a loaded machine. The tests below then only judge the results.
 */
const RENDER_BUDGET_MS = 900_000;

describe("kustomize fidelity, public corpus (issue 18)", () => {
  const results = new Map<string, RowResult>();
  beforeAll(() => {
    for (const row of present) results.set(row.root, runPublicRow(home, row));
  }, RENDER_BUDGET_MS);

  it("names only roots of the manifest as known misses", () => {
    for (const root of knownMisses.keys()) expect(rows.some((r) => r.root === root), root).toBe(true);
  });

  it.each(present.filter((r) => !knownMisses.has(r.root)).map((r) => r.root))("%s matches kubectl kustomize", (root) => {
    const r = results.get(root)!;
    expect(r.reason).toBe("");
    expect(r.pass).toBe(true);
  });

  it("reports the corpus-wide count", () => {
    if (present.length < rows.length) {
      console.warn(
        `public kustomize corpus: ${rows.length - present.length} of ${rows.length} roots skipped, their files are not in ${home} ` +
          `(run \`npm run corpus:fetch\`; it needs github.com):\n  ${fetchLog.join("\n  ")}`,
      );
    }
    const all = [...results.values()];
    console.log(`public kustomize corpus: ${all.filter((r) => r.pass).length}/${present.length} roots match`);
    const fixed = all.filter((r) => r.pass && knownMisses.has(r.row.root)).map((r) => r.row.root);
    if (fixed.length > 0) console.log(`known misses that now match (remove them from known-misses.txt):\n  ${fixed.join("\n  ")}`);
    expect(all.filter((r) => r.pass).length).toBeGreaterThanOrEqual(present.filter((r) => !knownMisses.has(r.root)).length);
  });
});
