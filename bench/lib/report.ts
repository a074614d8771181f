import { execFileSync } from "node:child_process";
import { cpus, totalmem } from "node:os";
import { KUBERNETES_VERSION } from "../../src/dev/control-plane/versions.js";
import { FLUX_CONTROLLER_VERSIONS, MODULE_SUBSTITUTES } from "../../src/dev/flux/controllers.js";
import { KUSTOMIZE_API_VERSION } from "../krusty/build.js";
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

/** First line a command prints, or "unknown" when it cannot run. */
function firstLine(cmd: string, args: string[]): string {
  try {
    return (
      execFileSync(cmd, args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] })
        .split("\n")[0]
        ?.trim() ?? ""
    );
  } catch {
    return "unknown";
  }
}

const substitutes = (): string =>
  MODULE_SUBSTITUTES["source-controller"].map((m) => `${m.module}@${m.version} substituted`).join(", ") ||
  "as released";

let versions: string | undefined;
/** What was measured against what: every results file names the versions of both sides. */
export function versionsLine(): string {
  versions ??= [
    `mooring ${firstLine("git", ["rev-parse", "--short", "HEAD"])}`,
    `Kubernetes ${KUBERNETES_VERSION} (local control plane)`,
    `Flux source-controller ${FLUX_CONTROLLER_VERSIONS["source-controller"]} (${substitutes()}), kustomize-controller ${FLUX_CONTROLLER_VERSIONS["kustomize-controller"]}`,
    `kubectl ${firstLine("kubectl", ["version", "--client"]).replace("Client Version: ", "")} (kustomize v5.5.0)`,
    `Go kustomize/api ${KUSTOMIZE_API_VERSION}`,
    firstLine("git", ["--version"]),
  ].join(", ");
  return versions;
}

/** Renders a report as a Markdown table. */
export function toMarkdown(report: ScenarioReport, date: string): string {
  const line = (cells: string[]): string => `| ${cells.join(" | ")} |`;
  return [
    `## ${report.scenario}: ${report.title}`,
    "",
    `${date} · ${machineLine()}`,
    "",
    `Versions: ${versionsLine()}`,
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
