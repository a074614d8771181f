import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { buildSync, type BuildOptions } from "../build.js";
import { render } from "../output.js";

/**
 * Test support: writes an inline tree (path → content, kustomize's golden-test style) to a
 * temporary directory, builds `root` in it and returns the printed output. The directory is
 * removed afterwards.
 */
export function buildTree(files: Record<string, string>, root = ".", options: BuildOptions = {}): string {
  const dir = mkdtempSync(path.join(tmpdir(), "mooring-kustomize-"));
  try {
    for (const [rel, text] of Object.entries(files)) {
      const file = path.join(dir, rel);
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, text);
    }
    const opts = options.allowedRoot === undefined ? options : { ...options, allowedRoot: path.join(dir, options.allowedRoot) };
    return render(buildSync(path.join(dir, root), opts));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Strips the common leading indentation of a template literal, so goldens can be indented. */
export function dedent(text: string): string {
  const lines = text.replace(/^\n/, "").split("\n");
  const indents = lines.filter((l) => l.trim() !== "").map((l) => /^ */.exec(l)![0].length);
  const cut = Math.min(...indents);
  return lines.map((l) => l.slice(cut)).join("\n").replace(/[ ]+$/, "");
}
