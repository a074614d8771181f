import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { archiveDirectory } from "./archive.js";
import { cleanRelPath, copyIncludedArtifact, IllegalIncludePathError, secureJoin } from "./include-copy.js";

let dir = "";
let archive = "";
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "include-test-"));
  await mkdir(join(dir, "src/base/deep"), { recursive: true });
  await writeFile(join(dir, "src/base/a.yaml"), "a");
  await writeFile(join(dir, "src/base/deep/b.yaml"), "b");
  await writeFile(join(dir, "src/top.yaml"), "t");
  archive = join(dir, "lib.tar.gz");
  await archiveDirectory(join(dir, "src"), archive);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("include copy", () => {
  it("copies the whole artifact or a subtree to toPath", async () => {
    const dest = join(dir, "dest");
    await copyIncludedArtifact(archive, "", dest, "lib");
    expect(await readFile(join(dest, "lib/top.yaml"), "utf8")).toBe("t");
    await copyIncludedArtifact(archive, "./base/", dest, "vendor/base");
    expect(await readFile(join(dest, "vendor/base/deep/b.yaml"), "utf8")).toBe("b");
    expect(existsSync(join(dest, "vendor/base/top.yaml"))).toBe(false);
  });

  it("refuses paths that leave the target", async () => {
    expect(() => cleanRelPath("../x")).toThrow(IllegalIncludePathError);
    expect(() => cleanRelPath("/etc")).toThrow(IllegalIncludePathError);
    expect(() => secureJoin(dir, "a/../../x")).toThrow(IllegalIncludePathError);
    expect(cleanRelPath("./a//b/")).toBe("a/b");
    await expect(copyIncludedArtifact(archive, "", join(dir, "dest2"), "../escape")).rejects.toThrow(
      IllegalIncludePathError,
    );
  });
});
