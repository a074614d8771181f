import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ObjectStore } from "./git-objects.js";
import { storePack } from "./git-pack-stream.js";
import type { GitObject } from "./git-pack-reader.js";

let work = "";
let repo = "";

function git(args: string[], opts: { cwd?: string; input?: Buffer | string } = {}): Buffer {
  return execFileSync("git", args, {
    cwd: opts.cwd ?? repo,
    input: opts.input,
    maxBuffer: 64 * 1024 * 1024,
    env: {
      PATH: process.env.PATH,
      GIT_CONFIG_NOSYSTEM: "1",
      HOME: work,
      GIT_AUTHOR_NAME: "t",
      GIT_AUTHOR_EMAIL: "t@example.com",
      GIT_COMMITTER_NAME: "t",
      GIT_COMMITTER_EMAIL: "t@example.com",
    },
  });
}

/** Every object of the repository as git reports it. */
function allObjects(): { oid: string; type: string }[] {
  return git(["cat-file", "--batch-all-objects", "--batch-check=%(objectname) %(objecttype)"])
    .toString()
    .trim()
    .split("\n")
    .map((l) => {
      const [oid, type] = l.split(" ");
      return { oid: oid!, type: type! };
    });
}

async function expectSameAsGit(gitdir: string, objects: { oid: string; type: string }[]): Promise<void> {
  const store = await ObjectStore.open(gitdir);
  try {
    for (const o of objects) {
      const got: GitObject = await store.read(o.oid);
      expect(got.type).toBe(o.type);
      expect(got.data.equals(git(["cat-file", o.type, o.oid]))).toBe(true);
    }
  } finally {
    await store.close();
  }
}

async function* chunks(buf: Buffer, size: number): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < buf.length; at += size) yield buf.subarray(at, at + size);
}

const noExternal = (oid: Buffer): Promise<GitObject> =>
  Promise.reject(Object.assign(new Error(`missing ${oid.toString("hex")}`), { name: "MissingObjectError" }));

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "git-pack-test-"));
  repo = join(work, "repo");
  await mkdir(join(repo, "deploy/nested"), { recursive: true });
  git(["init", "-q", "-b", "main"]);
  const lines = Array.from({ length: 400 }, (_, i) => `key-${i}: value-${(i * 7919) % 1000}`);
  for (let round = 0; round < 4; round++) {
    lines[round * 50] = `changed-in-round-${round}: true`;
    await writeFile(join(repo, "deploy/app.yaml"), `${lines.join("\n")}\n`);
    await writeFile(join(repo, "deploy/nested/copy.yaml"), `# copy ${round}\n${lines.join("\n")}\n`);
    await writeFile(
      join(repo, `file-${round}.bin`),
      Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * round) % 256)),
    );
    git(["add", "-A"]);
    git(["commit", "-q", "-m", `round ${round}`]);
  }
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe("ObjectStore", () => {
  it("reads loose objects, then the same objects from a pack with offset deltas, as git does", async () => {
    const objects = allObjects();
    expect(objects.length).toBeGreaterThan(20);
    await expectSameAsGit(join(repo, ".git"), objects);
    git(["repack", "-adfq", "--depth=50", "--window=50"]);
    const verify = git(["verify-pack", "-v", ...(await packIdx(join(repo, ".git")))]).toString();
    expect(verify).toMatch(/chain length = [1-9]/);
    await expectSameAsGit(join(repo, ".git"), objects);
  });

  it("says which object is missing", async () => {
    const store = await ObjectStore.open(join(repo, ".git"));
    try {
      await expect(store.read("0".repeat(40))).rejects.toThrow(`git object ${"0".repeat(40)} not found`);
      expect(await store.has("0".repeat(40))).toBe(false);
      await expect(store.read("not-an-oid")).rejects.toThrow("invalid git object id");
    } finally {
      await store.close();
    }
  });
});

async function packIdx(gitdir: string): Promise<string[]> {
  const dir = join(gitdir, "objects/pack");
  return (await readdir(dir)).filter((n) => n.endsWith(".idx")).map((n) => join(dir, n));
}

describe("storePack", () => {
  for (const [label, deltaArgs] of [
    ["offset deltas", ["--delta-base-offset"]],
    ["ref deltas", []],
  ] as const) {
    it(`stores a streamed pack (${label}) with the index git writes for it, however it is chunked`, async () => {
      const list = git(["rev-list", "--objects", "--all"]);
      const pack = git(["pack-objects", "--stdout", "-q", "--window=50", ...deltaArgs], { input: list });
      const reference = join(work, `ref-${deltaArgs.length}.pack`);
      await writeFile(reference, pack);
      git(["index-pack", "-o", `${reference}.idx`, reference]);
      for (const size of [5, 4096, pack.length]) {
        const bare = join(work, `bare-${deltaArgs.length}-${size}`);
        git(["init", "-q", "--bare", bare]);
        const packDir = join(bare, "objects/pack");
        const stored = await storePack(chunks(pack, size), packDir, noExternal);
        expect(stored?.objects).toBe(pack.readUInt32BE(8));
        expect((await readdir(packDir)).sort()).toEqual([`${stored!.name}.idx`, `${stored!.name}.pack`]);
        expect((await readFile(join(packDir, `${stored!.name}.pack`))).equals(pack)).toBe(true);
        expect(
          (await readFile(join(packDir, `${stored!.name}.idx`))).equals(await readFile(`${reference}.idx`)),
        ).toBe(true);
        await expectSameAsGit(bare, allObjects());
      }
    });
  }

  it("refuses a corrupted or truncated pack and leaves nothing behind", async () => {
    const pack = git(["pack-objects", "--stdout", "-q"], { input: git(["rev-list", "--objects", "--all"]) });
    const dir = join(work, "corrupt");
    await mkdir(dir);
    const flipped = Buffer.from(pack);
    flipped[Math.floor(pack.length / 2)]! ^= 0xff;
    await expect(storePack(chunks(flipped, 1000), dir, noExternal)).rejects.toThrow();
    await expect(
      storePack(chunks(pack.subarray(0, pack.length - 30), 1000), dir, noExternal),
    ).rejects.toThrow();
    await expect(
      storePack(chunks(Buffer.concat([pack, Buffer.from("x")]), 1000), dir, noExternal),
    ).rejects.toThrow("unexpected data after the pack");
    await expect(storePack(chunks(Buffer.from("<html>"), 10), dir, noExternal)).rejects.toThrow(
      "the git server did not send a pack",
    );
    expect(await readdir(dir)).toEqual([]);
  });
});
