import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { pack } from "tar-stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { bufferSizes, extractTarGz } from "./safe-extract.js";

async function tarGz(entries: { name: string; body: string | Buffer }[]): Promise<Buffer> {
  const p = pack();
  for (const e of entries) p.entry({ name: e.name }, e.body);
  p.finalize();
  const chunks: Buffer[] = [];
  for await (const c of p) chunks.push(Buffer.from(c as Uint8Array));
  return gzipSync(Buffer.concat(chunks));
}

let tmp = "";
beforeEach(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), "safe-extract-test-"));
});
afterEach(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function extract(entries: { name: string; body: string | Buffer }[]): Promise<string> {
  const file = path.join(tmp, "a.tar.gz");
  await writeFile(file, await tarGz(entries));
  const dir = path.join(tmp, "out");
  await extractTarGz(file, dir, 64 << 20);
  return dir;
}

describe("extractTarGz", () => {
  it("writes every file of many directories, small ones gathered and large ones streamed", async () => {
    const small = Array.from({ length: 300 }, (_, i) => ({
      name: `app-${i % 30}/deep/f-${i}.yaml`,
      body: `i: ${i}\n`,
    }));
    const large = Buffer.alloc(3 << 20, "y");
    const dir = await extract([...small, { name: "big/objects.yaml", body: large }]);
    for (const f of small) expect(await readFile(path.join(dir, f.name), "utf8")).toBe(f.body);
    expect((await readFile(path.join(dir, "big/objects.yaml"))).equals(large)).toBe(true);
  });

  it("lets the last of repeated names win, as a sequential extraction does", async () => {
    const big = Buffer.alloc(2 << 20, "z");
    const dir = await extract([
      { name: "x.yaml", body: "first" },
      { name: "x.yaml", body: "second" },
      { name: "y.yaml", body: "small" },
      { name: "y.yaml", body: big },
    ]);
    expect(await readFile(path.join(dir, "x.yaml"), "utf8")).toBe("second");
    expect((await readFile(path.join(dir, "y.yaml"))).equals(big)).toBe(true);
  });

  it("fails the extraction when a file cannot be written", async () => {
    // `a` is a file, so `a/b.yaml` has no directory to go in.
    await expect(
      extract([
        { name: "a", body: "x" },
        { name: "a/b.yaml", body: "y" },
      ]),
    ).rejects.toThrow(/failed to extract artifact/);
  });

  it("refuses an entry that escapes the directory", async () => {
    await expect(extract([{ name: "../escape.yaml", body: "x" }])).rejects.toThrow(
      /outside the extraction directory/,
    );
  });
});

describe("bufferSizes", () => {
  it("sizes read and inflate buffers to a small artifact, and caps them at 1 MiB for a big one", () => {
    expect(bufferSizes(3000)).toEqual({ read: 3000, inflate: 24_000 });
    expect(bufferSizes(10)).toEqual({ read: 1024, inflate: 16 * 1024 });
    expect(bufferSizes(32 * 1024 * 1024)).toEqual({ read: 1 << 20, inflate: 1 << 20 });
  });
});
