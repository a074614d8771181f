import { existsSync, statSync } from "node:fs";
import path from "node:path";
import { corpusHome, readFileList, readManifest } from "./manifest.js";

/**
 * Prints the public corpus's size by repository as a markdown table (for the README next to the
 * manifest): roots that build and that fail, input files and their bytes, commit and licence.
 */
function main(): void {
  const home = corpusHome();
  const rows = readManifest();
  const files = readFileList();
  const lines = ["| repository | commit | licence | roots (ok / error) | input files | input bytes |", "| --- | --- | --- | --- | --- | --- |"];
  let ok = 0;
  let err = 0;
  let nFiles = 0;
  let bytes = 0;
  for (const repo of [...new Set(rows.map((r) => r.repo))].sort()) {
    const mine = rows.filter((r) => r.repo === repo);
    const f = files.filter((x) => x.repo === repo);
    const b = f.reduce((sum, x) => sum + (existsSync(path.join(home, repo, x.path)) ? statSync(path.join(home, repo, x.path)).size : 0), 0);
    const o = mine.filter((r) => r.outcome === "ok").length;
    ok += o;
    err += mine.length - o;
    nFiles += f.length;
    bytes += b;
    lines.push(`| [${repo}](https://github.com/${repo}) | \`${mine[0]!.commit.slice(0, 12)}\` | ${mine[0]!.licence} | ${o} / ${mine.length - o} | ${f.length} | ${b} |`);
  }
  lines.push(`| **total: ${new Set(rows.map((r) => r.repo)).size} repositories** | | | **${ok} / ${err}** | **${nFiles}** | **${bytes}** |`);
  console.log(lines.join("\n"));
}

main();
