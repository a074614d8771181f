/**
 * Issue 16: an ArtifactGenerator's copy operations behave as source-watcher's (`cp`-like), tree
 * in, tree out: files and directories, trailing slashes, `dir/**`, globs, excludes, the Merge and
 * Extract strategies, and the errors for no match, all excluded, unknown alias and escapes.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { CopyOperation } from "../api/index.js";
import { archiveDirectory } from "../source/archive.js";
import { applyCopyOperations } from "./copy.js";

let tmp = "";
beforeEach(async () => {
  tmp = await mkdtemp(join(tmpdir(), "copy-test-"));
});
afterEach(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** Writes an inline tree under `root`. */
async function tree(root: string, files: Record<string, string>): Promise<void> {
  await mkdir(root, { recursive: true });
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), text);
  }
}

/** Every file under `root` with its text. */
async function read(root: string, rel = ""): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const name of await readdir(join(root, rel)).catch(() => [] as string[])) {
    const path = rel === "" ? name : `${rel}/${name}`;
    if ((await stat(join(root, path))).isDirectory()) Object.assign(out, await read(root, path));
    else out[path] = await readFile(join(root, path), "utf8");
  }
  return out;
}

const repo = {
  "config.yaml": "a: 1\n",
  "README.md": "readme",
  "deploy/frontend/kustomization.yaml": "resources: [app.yaml]\n",
  "deploy/frontend/app.yaml": "kind: ConfigMap\n",
  "deploy/frontend/docs/notes.md": "notes",
  "deploy/backend/app.yaml": "kind: Secret\n",
  "deploy/backend/testdata/x.yaml": "x",
};

async function run(ops: CopyOperation[], sources: Record<string, Record<string, string>> = { src: repo }) {
  const dirs = new Map<string, string>();
  for (const [alias, files] of Object.entries(sources)) {
    await tree(join(tmp, "sources", alias), files);
    dirs.set(alias, join(tmp, "sources", alias));
  }
  const staging = await mkdtemp(join(tmp, "out-"));
  await applyCopyOperations(ops, { sources: dirs, staging, maxExtractBytes: 1 << 20 });
  return read(staging);
}

describe("copy operations (source-watcher semantics)", () => {
  it("a file to a directory keeps its name; to a path takes that name", async () => {
    expect(await run([{ from: "@src/config.yaml", to: "@artifact/apps/" }])).toEqual({
      "apps/config.yaml": "a: 1\n",
    });
    expect(await run([{ from: "@src/config.yaml", to: "@artifact/apps/app.yaml" }])).toEqual({
      "apps/app.yaml": "a: 1\n",
    });
  });

  it("dir/** copies the directory's contents recursively, without the prefix", async () => {
    expect(await run([{ from: "@src/deploy/frontend/**", to: "@artifact/" }])).toEqual({
      "kustomization.yaml": "resources: [app.yaml]\n",
      "app.yaml": "kind: ConfigMap\n",
      "docs/notes.md": "notes",
    });
  });

  it("a directory without glob is copied as a subdirectory; @src/ copies the whole source", async () => {
    expect(await run([{ from: "@src/deploy/backend", to: "@artifact/dest" }])).toEqual({
      "dest/backend/app.yaml": "kind: Secret\n",
      "dest/backend/testdata/x.yaml": "x",
    });
    expect(Object.keys(await run([{ from: "@src/", to: "@artifact/" }])).sort()).toEqual(
      Object.keys(repo).sort(),
    );
  });

  it("a glob keeps each match's path; * does not cross directories", async () => {
    expect(await run([{ from: "@src/deploy/*/app.yaml", to: "@artifact/all/" }])).toEqual({
      "all/deploy/backend/app.yaml": "kind: Secret\n",
      "all/deploy/frontend/app.yaml": "kind: ConfigMap\n",
    });
    expect(await run([{ from: "@src/*.yaml", to: "@artifact/" }])).toEqual({ "config.yaml": "a: 1\n" });
  });

  it("exclude: names at any depth, paths from the source root or from the selection root", async () => {
    const out = await run([
      { from: "@src/deploy/**", to: "@artifact/", exclude: ["*.md", "backend/testdata/**"] },
    ]);
    expect(out).toEqual({
      "frontend/kustomization.yaml": "resources: [app.yaml]\n",
      "frontend/app.yaml": "kind: ConfigMap\n",
      "backend/app.yaml": "kind: Secret\n",
    });
    const rooted = await run([{ from: "@src/deploy", to: "@artifact/", exclude: ["deploy/frontend/**"] }]);
    expect(Object.keys(rooted).sort()).toEqual(["deploy/backend/app.yaml", "deploy/backend/testdata/x.yaml"]);
  });

  it("later operations overwrite earlier ones; Merge deep-merges YAML maps and replaces lists", async () => {
    const out = await run(
      [
        { from: "@chart/**", to: "@artifact/" },
        { from: "@values/prod.yaml", to: "@artifact/values.yaml", strategy: "Merge" },
      ],
      {
        chart: {
          "Chart.yaml": "name: podinfo\n",
          "values.yaml": "replicas: 1\nimage:\n  tag: v1\n  pull: Always\nports: [80, 443]\n",
        },
        values: { "prod.yaml": "image:\n  tag: v2\nports: [8080]\n" },
      },
    );
    expect(out["values.yaml"]).toBe("image:\n  pull: Always\n  tag: v2\nports:\n- 8080\nreplicas: 1\n");
    expect(out["Chart.yaml"]).toBe("name: podinfo\n");
  });

  it("Extract unpacks tarballs matched by a ** glob and skips other files", async () => {
    await tree(join(tmp, "pkg"), { "chart/Chart.yaml": "name: c\n" });
    await mkdir(join(tmp, "sources", "oci", "releases", "v1"), { recursive: true });
    await archiveDirectory(join(tmp, "pkg"), join(tmp, "sources", "oci", "releases", "v1", "c.tgz"));
    const out = await run(
      [{ from: "@oci/releases/**/*.tgz", to: "@artifact/charts/", strategy: "Extract" }],
      {
        oci: { "releases/notes.txt": "n" },
      },
    );
    expect(out).toEqual({ "charts/chart/Chart.yaml": "name: c\n" });
  });

  it("fails clearly: no match, all excluded, unknown alias, missing file, a path out of the root", async () => {
    await expect(run([{ from: "@src/*.json", to: "@artifact/" }])).rejects.toThrow(
      "failed to apply copy operation from '@src/*.json' to '@artifact/': no files match pattern '*.json' in source 'src'",
    );
    await expect(run([{ from: "@src/*.md", to: "@artifact/", exclude: ["*.md"] }])).rejects.toThrow(
      "all files matching pattern '*.md' in source 'src' were excluded",
    );
    await expect(run([{ from: "@nope/a", to: "@artifact/" }])).rejects.toThrow(
      "source alias 'nope' not found",
    );
    await expect(run([{ from: "@src/missing.yaml", to: "@artifact/" }])).rejects.toThrow(
      "source 'missing.yaml' does not exist",
    );
    await expect(run([{ from: "@src/../../etc/passwd", to: "@artifact/" }])).rejects.toThrow(
      "is outside its root",
    );
    await expect(run([{ from: "@src/config.yaml", to: "@artifact/../x" }])).rejects.toThrow(
      "is outside its root",
    );
    await expect(run([{ from: "@src/[", to: "@artifact/" }])).rejects.toThrow("syntax error in pattern");
  });
});
