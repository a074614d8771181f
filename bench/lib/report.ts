import { cpus, totalmem } from "node:os";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";

/** One results table of a scenario: printed to stdout and written to bench/results. */
export interface ScenarioReport {
  scenario: string;
  title: string;
  header: string[];
  rows: string[][];
  notes?: string[];
}

/** The machine line every results file carries, so numbers are never read without their context. */
export function machineLine(): string {
  const cpu = cpus()[0]?.model ?? "unknown cpu";
  return `${cpus().length} cores (${cpu}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
}

/** Renders a report as a Markdown table. */
export function toMarkdown(report: ScenarioReport, date: string): string {
  const line = (cells: string[]): string => `| ${cells.join(" | ")} |`;
  return [
    `## ${report.scenario}: ${report.title}`,
    "",
    `${date} · ${machineLine()}`,
    "",
    line(report.header),
    line(report.header.map(() => "---")),
    ...report.rows.map(line),
    "",
    ...(report.notes ?? []).map((n) => `- ${n}`),
    "",
  ].join("\n");
}

/** Prints the report and writes `bench/results/<date>-<scenario>[-quick].md`. */
export async function publish(report: ScenarioReport, resultsDir: string, quick: boolean): Promise<string> {
  const date = new Date().toISOString().slice(0, 10);
  const text = toMarkdown(report, date);
  process.stdout.write(`\n${text}`);
  await mkdir(resultsDir, { recursive: true });
  // Quick runs are for a developer's loop and are not committed (.gitignore).
  const file = join(resultsDir, `${date}-${report.scenario.toLowerCase()}${quick ? "-quick" : ""}.md`);
  await writeFile(file, text);
  return file;
}
