import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { judge, renderRoot, type RowResult } from "../../src/kustomize/fidelity-runner.js";
import { corpusHome, type ManifestRow, readManifest } from "./manifest.js";

/**
 * Renders public-corpus roots (issue 18) with our engine and compares them with kubectl's output
 * as recorded: its sha256 in the manifest, or, where the collector left it in the corpus home,
 * kubectl's full output (then a mismatch says where it starts).
 *
 * `npx tsx scripts/kustomize-corpus/check.ts [rootSubstring]`; for a single root it writes ours
 * and kubectl's to /tmp/fidelity-actual.yaml and /tmp/fidelity-expected.yaml.
 */

/** kubectl's full output for a row, when the collector kept it in the corpus home. */
export function expectedFile(home: string, row: ManifestRow): string {
  return path.join(home, "expected", row.root.replaceAll("/", "__") + ".yaml");
}

/** Renders one public-corpus row and judges it. */
export function runPublicRow(home: string, row: ManifestRow): RowResult {
  const corpusRow = { root: row.root, expected: "", outcome: row.outcome };
  return judge(corpusRow, renderRoot(path.join(home, row.root)), () => {
    if (row.outcome === "error") return { error: row.errorPhrase };
    const full = expectedFile(home, row);
    return existsSync(full) ? { output: readFileSync(full, "utf8") } : { outputSha256: row.outputSha256 };
  });
}

function main(): void {
  const home = corpusHome();
  const filter = process.argv.slice(2).find((a) => !a.startsWith("--"));
  const rows = readManifest().filter((r) => !filter || r.root.includes(filter));
  const started = performance.now();
  const results = rows.map((r) => runPublicRow(home, r));
  const ms = performance.now() - started;
  for (const r of results) if (!r.pass) console.log(`FAIL ${r.row.root}\n     ${r.reason}`);
  console.log(`public kustomize corpus: ${results.filter((r) => r.pass).length}/${results.length} roots match (${ms.toFixed(0)} ms)`);
  if (rows.length === 1 && results[0]?.actual !== undefined) {
    writeFileSync("/tmp/fidelity-actual.yaml", results[0].actual);
    if (existsSync(expectedFile(home, rows[0]!))) writeFileSync("/tmp/fidelity-expected.yaml", readFileSync(expectedFile(home, rows[0]!)));
  }
  if (process.argv.includes("--errors")) {
    for (const row of rows.filter((r) => r.outcome === "error")) {
      const r = renderRoot(path.join(home, row.root));
      console.log(`${row.root}\n  kubectl: ${row.errorPhrase}\n  ours:    ${"error" in r ? r.error : "(no error)"}`);
    }
  }
  if (process.argv.includes("--failing")) {
    writeFileSync("/tmp/public-failing.txt", results.filter((r) => !r.pass).map((r) => r.row.root).join("\n") + "\n");
  }
}

if (process.argv[1] && import.meta.url === `file://${path.resolve(process.argv[1])}`) main();
