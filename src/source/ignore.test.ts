import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { buildIgnoreMatcher, loadIgnoreMatcher, parsePatterns } from "./ignore.js";

describe("ignore rules", () => {
  it("applies VCS and default excludes when there are no user patterns", () => {
    const m = buildIgnoreMatcher([]);
    expect(m.ignores(".git", true)).toBe(true);
    expect(m.ignores(".git/config", false)).toBe(true);
    expect(m.ignores(".gitignore", false)).toBe(true);
    expect(m.ignores("logo.png", false)).toBe(true);
    expect(m.ignores(".github", true)).toBe(true);
    expect(m.ignores("deep/dir/.sops.yaml", false)).toBe(true);
    expect(m.ignores("app/deploy.yaml", false)).toBe(false);
  });

  it("drops the default excludes as soon as any user pattern exists", () => {
    const m = buildIgnoreMatcher([{ domain: "", patterns: ["*.md"] }]);
    expect(m.ignores("logo.png", false)).toBe(false);
    expect(m.ignores("README.md", false)).toBe(true);
    expect(m.ignores(".gitattributes", false)).toBe(true);
  });

  it("treats a comment-only .sourceignore as no patterns", () => {
    expect(parsePatterns("# nothing\n\n  \n")).toEqual([]);
    const m = buildIgnoreMatcher([{ domain: "", patterns: parsePatterns("# nothing\n") }]);
    expect(m.ignores("logo.png", false)).toBe(true);
  });

  it("scopes patterns to their directory and lets later ones negate", () => {
    const m = buildIgnoreMatcher([
      { domain: "apps", patterns: ["*.yaml", "/top.txt"] },
      { domain: "", patterns: ["!apps/keep.yaml"] },
    ]);
    expect(m.ignores("apps/x.yaml", false)).toBe(true);
    expect(m.ignores("apps/sub/x.yaml", false)).toBe(true);
    expect(m.ignores("x.yaml", false)).toBe(false);
    expect(m.ignores("apps/top.txt", false)).toBe(true);
    expect(m.ignores("apps/sub/top.txt", false)).toBe(false);
    expect(m.ignores("apps/keep.yaml", false)).toBe(false);
  });

  it("excludes directories and what is below them", () => {
    const m = buildIgnoreMatcher([{ domain: "", patterns: ["secret/"] }]);
    expect(m.ignores("secret", true)).toBe(true);
    expect(m.ignores("secret/a.yaml", false)).toBe(true);
    expect(m.ignores("secret", false)).toBe(false);
  });
});

describe("loading .sourceignore files", () => {
  let dir = "";
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("reads nested files and appends spec.ignore last", async () => {
    dir = await mkdtemp(join(tmpdir(), "ignore-test-"));
    const files: Record<string, string> = {
      ".sourceignore": "*.txt\n",
      "sub/.sourceignore": "# only here\nlocal.yaml\n",
      ".git/.sourceignore": "*.yaml\n",
    };
    for (const [p, c] of Object.entries(files)) {
      await mkdir(dirname(join(dir, p)), { recursive: true });
      await writeFile(join(dir, p), c);
    }
    const m = await loadIgnoreMatcher(dir, "!keep.txt\n");
    expect(m.ignores("a.txt", false)).toBe(true);
    expect(m.ignores("keep.txt", false)).toBe(false);
    expect(m.ignores("sub/local.yaml", false)).toBe(true);
    expect(m.ignores("local.yaml", false)).toBe(false);
    expect(m.ignores("other.yaml", false)).toBe(false);
    expect(m.ignores("logo.png", false)).toBe(false);
  });
});
