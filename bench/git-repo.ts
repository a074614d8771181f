/**
 * The bench's large repository, generated reproducibly: a seeded PRNG writes the same ≥ 2,000
 * YAML files (≥ 30 MB) on every machine, so figures from different runs describe the same input.
 */
import type { GitRepo } from "../src/dev/git-server/index.js";
import { seeded } from "./lib/workload.js";

/** Size of the generated tree. */
export interface RepoShape {
  readonly files: number;
  readonly bytesPerFile: number;
}

/** Full size: 2,400 files of ~13.5 KB (~32 MB). */
export const FULL_SHAPE: RepoShape = { files: 2400, bytesPerFile: 13_500 };
/** `--quick`: same shape, a tenth of the files. */
export const QUICK_SHAPE: RepoShape = { files: 240, bytesPerFile: 13_500 };

const ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/** One ConfigMap-like YAML document of about `bytes` bytes. */
function yamlFile(rand: () => number, index: number, bytes: number): string {
  const lines = [
    `apiVersion: v1`,
    `kind: ConfigMap`,
    `metadata:`,
    `  name: cm-${index}`,
    `  namespace: bench`,
    `data:`,
  ];
  let size = lines.join("\n").length;
  for (let k = 0; size < bytes; k++) {
    let value = "";
    for (let i = 0; i < 64; i++) value += ALPHABET[Math.floor(rand() * ALPHABET.length)];
    const line = `  key-${k}: ${value}`;
    lines.push(line);
    size += line.length + 1;
  }
  return `${lines.join("\n")}\n`;
}

/** The file map of the generated tree (path → content). */
export function generateTree(shape: RepoShape, seed = 42): Record<string, string> {
  const rand = seeded(seed);
  const files: Record<string, string> = {};
  for (let i = 0; i < shape.files; i++)
    files[`apps/team-${i % 40}/cm-${i}.yaml`] = yamlFile(rand, i, shape.bytesPerFile);
  return files;
}

/** Commits the generated tree to `repo`; returns the commit sha and the tree size in bytes. */
export async function commitGeneratedTree(
  repo: GitRepo,
  shape: RepoShape,
): Promise<{ sha: string; bytes: number; files: number }> {
  const files = generateTree(shape);
  const bytes = Object.values(files).reduce((n, c) => n + c.length, 0);
  const sha = await repo.commit({ files, message: "generated bench tree" });
  return { sha, bytes, files: Object.keys(files).length };
}
