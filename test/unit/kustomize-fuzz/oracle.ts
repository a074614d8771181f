import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { buildSync } from "../../../src/kustomize/build.js";
import { describeCause, sameCause } from "../../../src/kustomize/error-cause.js";
import { render } from "../../../src/kustomize/output.js";
import type { Tree } from "./trees.js";

const run = promisify(execFile);

/** kubectl 1.32 embeds kustomize v5.5.0, the reference (the machine image ships it). */
export const KUBECTL = "/usr/bin/kubectl";
export const haveKubectl = existsSync(KUBECTL);

/** One engine's answer: its output, or its error message. */
export type Outcome = { ok: true; output: string } | { ok: false; error: string };

/**
 * kubectl prints a failed build as a klog line, `... "command failed" err="<Go-quoted text>"`,
 * or, for a message with newlines, `err=<` then tab-indented lines and ` >`. This returns the text.
 */
export function kubectlError(stderr: string): string {
  const quoted = /err="((?:[^"\\]|\\.)*)"/.exec(stderr);
  if (quoted) {
    try {
      return JSON.parse(`"${quoted[1]!}"`) as string;
    } catch {
      return quoted[1]!;
    }
  }
  const block = /err=<\n([\s\S]*?)\n >/.exec(stderr);
  if (block) return block[1]!.split("\n").map((l) => l.replace(/^\t/, "")).join("\n");
  return stderr.trim();
}

/** Writes a tree under a new temporary directory and returns the directory. */
export function writeTree(tree: Tree): string {
  const dir = mkdtempSync(path.join(tmpdir(), "mooring-fuzz-"));
  for (const [rel, text] of Object.entries(tree)) {
    const file = path.join(dir, rel);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
  }
  return dir;
}

async function kubectlBuild(root: string): Promise<Outcome> {
  try {
    const { stdout } = await run(KUBECTL, ["kustomize", root], { maxBuffer: 64 << 20 });
    return { ok: true, output: stdout };
  } catch (err) {
    return { ok: false, error: kubectlError(String((err as { stderr?: string }).stderr ?? err)) };
  }
}

function ourBuild(root: string): Outcome {
  try {
    return { ok: true, output: render(buildSync(root)) };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
}

/** Why two outcomes differ, or undefined when they match (same output, or errors of one cause). */
export function mismatch(ours: Outcome, theirs: Outcome): string | undefined {
  if (ours.ok && theirs.ok) return ours.output === theirs.output ? undefined : "outputs differ";
  if (!ours.ok && !theirs.ok) {
    const cmp = sameCause(theirs.error, ours.error);
    if (cmp.same) return undefined;
    return `both fail, for other causes: kustomize ${describeCause(cmp.expected)} (${theirs.error}), mooring ${describeCause(cmp.actual)} (${ours.error})`;
  }
  return ours.ok ? `kustomize fails (${(theirs as { error: string }).error}), mooring builds` : `mooring fails (${ours.error}), kustomize builds`;
}

/** Builds `root` of a tree with both engines. The directory is kept when they differ. */
export async function compareTree(tree: Tree, root: string): Promise<{ problem?: string; dir: string; ours: Outcome; theirs: Outcome }> {
  const dir = writeTree(tree);
  const theirs = await kubectlBuild(path.join(dir, root));
  const ours = ourBuild(path.join(dir, root));
  const problem = mismatch(ours, theirs);
  if (problem === undefined) rmSync(dir, { recursive: true, force: true });
  return { dir, ours, theirs, ...(problem === undefined ? {} : { problem }) };
}
