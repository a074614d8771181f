import { execFileSync } from "node:child_process";
import { createReadStream } from "node:fs";
import { chmod, mkdir, mkdtemp, readdir, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import { extract } from "tar-stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { archiveDirectory, digestFile } from "./archive.js";
import { buildIgnoreMatcher } from "./ignore.js";

async function entries(file: string) {
  const out: { name: string; mode: number; uid: number; mtime: number; type: string }[] = [];
  const ex = extract();
  ex.on("entry", (h, stream, next) => {
    out.push({ name: h.name, mode: h.mode, uid: h.uid, mtime: h.mtime.getTime(), type: h.type });
    stream.on("end", () => next());
    stream.resume();
  });
  await pipeline(createReadStream(file), createGunzip(), ex);
  return out;
}

let work = "";
let tree = "";
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "archive-test-"));
  tree = join(work, "tree");
  await mkdir(join(tree, "a/b"), { recursive: true });
  await mkdir(join(tree, ".git"), { recursive: true });
  await writeFile(join(tree, ".git/HEAD"), "ref");
  await writeFile(join(tree, "a.txt"), "a");
  await writeFile(join(tree, "a/b/c.yaml"), "c: 1\n");
  await writeFile(join(tree, "run.sh"), "#!/bin/sh\n");
  await chmod(join(tree, "run.sh"), 0o755);
  await writeFile(join(tree, "logo.png"), "png");
  await writeFile(join(work, "outside"), "secret");
  await symlink(join(work, "outside"), join(tree, "link"));
  await symlink("a", join(tree, "dirlink"));
  execFileSync("mkfifo", [join(tree, "fifo")]);
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe("archiveDirectory", () => {
  it("writes Go-walk order, '.' root, fixed modes, zero owners and times, no links", async () => {
    const dest = join(work, "out1.tar.gz");
    const res = await archiveDirectory(tree, dest, buildIgnoreMatcher([]));
    const list = await entries(dest);
    expect(list.map((e) => e.name)).toEqual([".", "a", "a/b", "a/b/c.yaml", "a.txt", "run.sh"]);
    expect(list.map((e) => e.mode.toString(8))).toEqual(["750", "750", "750", "600", "600", "700"]);
    expect(list.every((e) => e.uid === 0 && e.mtime === 0)).toBe(true);
    expect(res.digest).toBe(await digestFile(dest));
    expect(res.size).toBeGreaterThan(0);
  });

  it("is byte-identical across runs and leaves no temp file behind", async () => {
    const a = await archiveDirectory(tree, join(work, "r1.tar.gz"));
    const b = await archiveDirectory(tree, join(work, "r2.tar.gz"));
    expect(a).toEqual(b);
    expect((await readdir(work)).filter((n) => n.endsWith(".tmp"))).toEqual([]);
  });

  it("refuses a missing directory", async () => {
    await expect(archiveDirectory(join(work, "nope"), join(work, "x.tar.gz"))).rejects.toThrow();
  });
});
