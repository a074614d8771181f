import { mkdir, mkdtemp, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ArtifactStorage, defaultAdvertisedAddress, IllegalPathError } from "./storage.js";

let root = "";
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "storage-test-"));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const NOW = Date.UTC(2026, 5, 1, 12);

async function seed(s: ArtifactStorage, files: Record<string, number>): Promise<void> {
  await s.ensureDir("gitrepository/ns/app");
  for (const [name, ageMs] of Object.entries(files)) {
    const p = s.localPath(`gitrepository/ns/app/${name}`);
    await writeFile(p, name);
    const t = new Date(NOW - ageMs);
    await utimes(p, t, t);
  }
}

describe("ArtifactStorage", () => {
  it("lays out paths, builds URLs and refuses traversal", () => {
    const s = new ArtifactStorage({ root, advertisedAddress: "source.svc:80" });
    const p = s.artifactPath("GitRepository", "ns", "app", "abc.tar.gz");
    expect(p).toBe("gitrepository/ns/app/abc.tar.gz");
    expect(s.url(p)).toBe("http://source.svc:80/gitrepository/ns/app/abc.tar.gz");
    expect(new ArtifactStorage({ root, advertisedAddress: "https://h/" }).url(p)).toBe(`https://h/${p}`);
    expect(() => s.localPath("../etc/passwd")).toThrow(IllegalPathError);
    expect(() => s.localPath("a/../../x")).toThrow(IllegalPathError);
  });

  it("derives the advertised address like Flux", () => {
    expect(defaultAdvertisedAddress(":9090", "pod-1")).toBe("localhost:9090");
    expect(defaultAdvertisedAddress("0.0.0.0:9090", "pod-1")).toBe("pod-1:9090");
    expect(defaultAdvertisedAddress("10.0.0.1:9090", "pod-1")).toBe("10.0.0.1:9090");
  });

  it("keeps the newest N within the TTL and never the current one", async () => {
    const s = new ArtifactStorage({
      root,
      advertisedAddress: "x",
      retentionRecords: 2,
      retentionTtlMs: 3_600_000,
      now: () => NOW,
    });
    await seed(s, { "1.tar.gz": 4000, "2.tar.gz": 3000, "3.tar.gz": 2000, "4.tar.gz": 1000 });
    await writeFile(s.localPath("gitrepository/ns/app/1.tar.gz.lock"), "");
    const deleted = await s.garbageCollect("gitrepository/ns/app/1.tar.gz");
    expect(deleted.sort()).toEqual(["gitrepository/ns/app/2.tar.gz", "gitrepository/ns/app/3.tar.gz"]);
    expect(await s.exists("gitrepository/ns/app/1.tar.gz")).toBe(true);
    expect(await s.exists("gitrepository/ns/app/4.tar.gz")).toBe(true);
  });

  it("deletes everything past the TTL except the current artifact", async () => {
    const s = new ArtifactStorage({
      root,
      advertisedAddress: "x",
      retentionRecords: 5,
      retentionTtlMs: 60_000,
      now: () => NOW,
    });
    await seed(s, { "old.tar.gz": 120_000, "cur.tar.gz": 180_000, "new.tar.gz": 1000 });
    const deleted = await s.garbageCollect("gitrepository/ns/app/cur.tar.gz");
    expect(deleted).toEqual(["gitrepository/ns/app/old.tar.gz"]);
  });

  /** A storage, a source tree of one file and the artifact path it is archived to. */
  async function oneFileTree(): Promise<{ s: ArtifactStorage; tree: string; rel: string }> {
    const s = new ArtifactStorage({ root, advertisedAddress: "x" });
    const tree = join(root, "tree");
    await mkdir(tree);
    await writeFile(join(tree, "f"), "1");
    await s.ensureDir("gitrepository/ns/app");
    return { s, tree, rel: "gitrepository/ns/app/a.tar.gz" };
  }

  it("verifies digests, locks exclusively and removes an object's files", async () => {
    const { s, tree, rel } = await oneFileTree();
    const release = await s.lock(rel);
    await expect(s.lock(rel, 100)).rejects.toThrow(/lock/);
    const { digest } = await s.archive(tree, rel);
    await release();
    expect(await s.verify(rel, digest)).toBe(true);
    expect(await s.verify(rel, "sha256:00")).toBe(false);
    await s.removeAll("GitRepository", "ns", "app");
    expect(await s.exists(rel)).toBe(false);
  });

  it("hashes an unchanged artifact once, and again once it is rewritten or replaced", async () => {
    const { s, tree, rel } = await oneFileTree();
    const { digest } = await s.archive(tree, rel);
    expect(await s.verify(rel, digest)).toBe(true);
    expect(await s.verify(rel, digest)).toBe(true);

    await writeFile(s.localPath(rel), "tampered in place");
    expect(await s.verify(rel, digest)).toBe(false);

    await writeFile(join(tree, "f"), "2");
    const second = await s.archive(tree, rel); // a new file renamed over the old one
    expect(await s.verify(rel, digest)).toBe(false);
    expect(await s.verify(rel, second.digest)).toBe(true);
    await s.removeFile(rel);
    expect(await s.verify(rel, second.digest)).toBe(false);
  });
});
