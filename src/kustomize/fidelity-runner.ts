import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { buildSync } from "./build.js";
import { describeCause, sameCause } from "./error-cause.js";
import { render } from "./output.js";

/**
 * Developer tool and test support: renders corpus roots and compares them with kubectl's output.
 * `npx tsx src/kustomize/fidelity-runner.ts [corpusDir] [rootSubstring]` prints the summary and,
 * for a single matching root, a diff-friendly dump of ours and theirs under /tmp.
 */

/** One row of the corpus index. */
export interface CorpusRow {
  root: string;
  expected: string;
  outcome: "ok" | "error";
}

/** The result of rendering one row. */
export interface RowResult {
  row: CorpusRow;
  pass: boolean;
  reason: string;
  actual?: string;
}

/** Reads index.tsv. */
export function readIndex(corpus: string): CorpusRow[] {
  const lines = readFileSync(path.join(corpus, "index.tsv"), "utf8").split("\n").slice(1);
  return lines
    .filter((l) => l.trim() !== "")
    .map((l) => {
      const [root, expected, outcome] = l.split("\t");
      return { root: root!, expected: expected!, outcome: outcome === "error" ? "error" : "ok" };
    });
}

function firstDiff(a: string, b: string): string {
  const al = a.split("\n");
  const bl = b.split("\n");
  for (let i = 0; i < Math.max(al.length, bl.length); i++) {
    if (al[i] !== bl[i]) return `line ${i + 1}: want ${JSON.stringify(bl[i])} got ${JSON.stringify(al[i])}`;
  }
  return "identical";
}

/**
 * The reference's error message of an error row. The corpus stores it either as a JSON string or
 * between `< >` (messages that span lines, joined); both are unwrapped here.
 */
export function readExpectedError(corpus: string, row: CorpusRow): string {
  const text = readFileSync(path.join(corpus, row.expected), "utf8").trim();
  if (text.startsWith('"')) {
    try {
      return String(JSON.parse(text));
    } catch {
      return text;
    }
  }
  return text.startsWith("< ") && text.endsWith(" >") ? text.slice(2, -2) : text;
}

/** What our engine makes of a root: its rendered output, or its error message. */
export function renderRoot(dir: string): { actual: string } | { error: string } {
  try {
    return { actual: render(buildSync(dir)) };
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err) };
  }
}

/**
 * What the reference made of a row: its output, or only that output's sha256 (the public corpus,
 * issue 18, keeps no outputs), or its error message.
 */
export type Expected = { output: string } | { outputSha256: string } | { error: string };

function judgeError(row: CorpusRow, message: string, expected: () => Expected): RowResult {
  const first = message.split("\n")[0]!;
  if (row.outcome !== "error") return { row, pass: false, reason: `error: ${first}` };
  // Failing because a feature is missing is not the failure kustomize has.
  if (message.includes("not supported yet")) return { row, pass: false, reason: `error: ${first}` };
  const want = expected();
  const cmp = sameCause("error" in want ? want.error : "", message);
  if (cmp.same) return { row, pass: true, reason: "" };
  return { row, pass: false, reason: `failed for another cause: want ${describeCause(cmp.expected)}, got ${describeCause(cmp.actual)}: ${first}` };
}

/**
 * Compares a rendering with the expected outcome: the exact output (or its sha256) of an `ok` row,
 * the cause of an `error` row's failure (error-cause.ts).
 */
export function judge(row: CorpusRow, r: { actual: string } | { error: string }, expected: () => Expected): RowResult {
  if ("error" in r) return judgeError(row, r.error, expected);
  const actual = r.actual;
  if (row.outcome === "error") return { row, pass: false, reason: "expected an error, got output", actual };
  const want = expected();
  if ("outputSha256" in want) {
    const same = createHash("sha256").update(actual).digest("hex") === want.outputSha256;
    return { row, pass: same, reason: same ? "" : "output differs from kubectl's (sha256)", actual };
  }
  const text = "output" in want ? want.output : "";
  if (actual === text) return { row, pass: true, reason: "", actual };
  return { row, pass: false, reason: firstDiff(actual, text), actual };
}

/** Renders one row and compares it with the expected outcome. */
export function runRow(corpus: string, row: CorpusRow): RowResult {
  return judge(row, renderRoot(path.join(corpus, row.root)), () =>
    row.outcome === "error" ? { error: readExpectedError(corpus, row) } : { output: readFileSync(path.join(corpus, row.expected), "utf8") },
  );
}

function main(): void {
  const corpus = path.resolve(process.argv[2] ?? "../shared/kustomize-corpus");
  const filter = process.argv[3];
  const rows = readIndex(corpus).filter((r) => !filter || r.root.includes(filter));
  const started = performance.now();
  const results = rows.map((r) => runRow(corpus, r));
  const ms = performance.now() - started;
  for (const r of results) if (!r.pass) console.log(`FAIL ${r.row.root}\n     ${r.reason}`);
  const passed = results.filter((r) => r.pass).length;
  console.log(`kustomize fidelity: ${passed}/${results.length} roots match (${ms.toFixed(0)} ms)`);
  if (rows.length === 1 && results[0]?.actual !== undefined) {
    writeFileSync("/tmp/fidelity-actual.yaml", results[0].actual);
    if (rows[0]!.outcome === "ok") writeFileSync("/tmp/fidelity-expected.yaml", readFileSync(path.join(corpus, rows[0]!.expected)));
    console.log("wrote /tmp/fidelity-actual.yaml and /tmp/fidelity-expected.yaml");
  }
  if (process.argv.includes("--passing")) {
    writeFileSync("/tmp/fidelity-passing.txt", results.filter((r) => r.pass).map((r) => r.row.root).join("\n") + "\n");
  }
}

if (process.argv[1] && import.meta.url === `file://${path.resolve(process.argv[1])}`) main();
