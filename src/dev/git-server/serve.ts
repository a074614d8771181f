/**
 * A standalone git server process for the kind e2e and the kind quick start (src/dev/git-server/Dockerfile): serves one
 * repository seeded from a directory, pushable over HTTP.
 *
 * Usage: node serve.js --host 0.0.0.0 --port 8080 --seed /seed/demo [--name demo]
 */
import { readdir, readFile } from "node:fs/promises";
import { basename, join, relative } from "node:path";
import { parseArgs } from "node:util";
import { git } from "./git-cli.js";
import { startGitServer } from "./git-server.js";

async function filesOf(dir: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile())
      files[relative(dir, join(entry.parentPath, entry.name))] = await readFile(
        join(entry.parentPath, entry.name),
        "utf8",
      );
  }
  return files;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      host: { type: "string" },
      port: { type: "string" },
      seed: { type: "string" },
      name: { type: "string" },
    },
  });
  if (!values.seed) throw new Error("--seed <dir> is required");
  const server = await startGitServer({
    host: values.host ?? "0.0.0.0",
    port: Number(values.port ?? "8080"),
  });
  const repo = await server.createRepo(values.name ?? basename(values.seed), { defaultBranch: "main" });
  await repo.commit({ files: await filesOf(values.seed), message: "seed" });
  await git(["config", "http.receivepack", "true"], { cwd: repo.barePath });
  console.log(`serving ${repo.name}.git on ${values.host ?? "0.0.0.0"}:${values.port ?? "8080"}`);
  const stop = (): void => void server.stop().then(() => process.exit(0));
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
