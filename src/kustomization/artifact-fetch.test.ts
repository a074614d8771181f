import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { pack } from "tar-stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GenericError, WaitingError } from "../runtime/errors.js";
import { secureJoin, withArtifact, type ArtifactFetchOptions } from "./artifact-fetch.js";

interface Entry {
  name: string;
  body?: string;
  type?: "file" | "directory" | "symlink";
  linkname?: string;
}

async function tarGz(entries: Entry[]): Promise<Buffer> {
  const p = pack();
  for (const e of entries) {
    if (e.type === "symlink") p.entry({ name: e.name, type: "symlink", linkname: e.linkname ?? "" });
    else if (e.type === "directory") p.entry({ name: e.name, type: "directory" });
    else p.entry({ name: e.name }, e.body ?? "");
  }
  p.finalize();
  const chunks: Buffer[] = [];
  for await (const c of p) chunks.push(Buffer.from(c as Uint8Array));
  return gzipSync(Buffer.concat(chunks));
}

const sha = (b: Buffer): string => `sha256:${createHash("sha256").update(b).digest("hex")}`;

let server: Server;
let base = "";
let tmp = "";
const files = new Map<string, Buffer>();
let flaky = 0;

const opts = (): ArtifactFetchOptions => ({
  retries: 3,
  retryMinWaitMs: 1,
  retryMaxWaitMs: 5,
  maxBytes: 1 << 20,
  requeueDependencyMs: 30_000,
  tmpDir: tmp,
});

beforeAll(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), "fetch-test-"));
  files.set(
    "/good.tar.gz",
    await tarGz([
      { name: "deploy", type: "directory" },
      { name: "deploy/app.yaml", body: "kind: ConfigMap\n" },
      { name: "deploy/link.yaml", type: "symlink", linkname: "/etc/passwd" },
    ]),
  );
  files.set("/evil.tar.gz", await tarGz([{ name: "../escape.yaml", body: "x" }]));
  files.set("/big.tar.gz", await tarGz([{ name: "big.yaml", body: "x".repeat(2 << 20) }]));
  server = createServer((req, res) => {
    if (req.url === "/silent.tar.gz") return; // never answers: a dead leader behind a proxy
    if (req.url === "/flaky.tar.gz" && flaky-- > 0) {
      res.writeHead(503).end();
      return;
    }
    const body = files.get(req.url === "/flaky.tar.gz" ? "/good.tar.gz" : (req.url ?? ""));
    if (!body) res.writeHead(404).end();
    else res.writeHead(200).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.close();
  await rm(tmp, { recursive: true, force: true });
});

const good = () => ({
  url: `${base}/good.tar.gz`,
  digest: sha(files.get("/good.tar.gz")!),
  revision: "main@sha1:1",
});

describe("withArtifact", () => {
  it("downloads, verifies, extracts without symlinks, and removes the temp dir", async () => {
    let seenRoot = "";
    const text = await withArtifact({ artifact: good(), path: "./deploy" }, opts(), async ({ root, dir }) => {
      seenRoot = root;
      expect(await readdir(dir)).toEqual(["app.yaml"]);
      return readFile(path.join(dir, "app.yaml"), "utf8");
    });
    expect(text).toBe("kind: ConfigMap\n");
    expect(existsSync(seenRoot)).toBe(false);
    expect(await readdir(tmp)).toEqual([]);
  });

  it("retries 5xx answers", async () => {
    flaky = 2;
    const a = { ...good(), url: `${base}/flaky.tar.gz` };
    await expect(withArtifact({ artifact: a, path: "" }, opts(), async () => "ok")).resolves.toBe("ok");
  });

  it("gives up after the configured retries with ArtifactFailed", async () => {
    flaky = 10;
    const a = { ...good(), url: `${base}/flaky.tar.gz` };
    const err = await withArtifact({ artifact: a, path: "" }, opts(), async () => "ok").catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(GenericError);
    expect((err as GenericError).reason).toBe("ArtifactFailed");
    expect((err as Error).message).toMatch(/giving up after 4 attempt/);
    flaky = 0;
  });

  it("turns a 404 into a wait of requeue-dependency", async () => {
    const err = await withArtifact(
      { artifact: { ...good(), url: `${base}/gone.tar.gz` }, path: "" },
      opts(),
      async () => 1,
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WaitingError);
    expect((err as WaitingError).message).toBe("Source is not ready, artifact not found");
    expect((err as WaitingError).requeueAfterMs).toBe(30_000);
    expect(await readdir(tmp)).toEqual([]);
  });

  it("refuses a digest mismatch", async () => {
    await expect(
      withArtifact(
        { artifact: { ...good(), digest: `sha256:${"0".repeat(64)}` }, path: "" },
        opts(),
        async () => 1,
      ),
    ).rejects.toThrow(/failed to verify artifact: computed digest/);
  });

  it("refuses an entry escaping the directory and an oversized archive", async () => {
    const evil = files.get("/evil.tar.gz")!;
    await expect(
      withArtifact(
        { artifact: { url: `${base}/evil.tar.gz`, digest: sha(evil), revision: "r" }, path: "" },
        opts(),
        async () => 1,
      ),
    ).rejects.toThrow(/outside the extraction directory/);
    const big = files.get("/big.tar.gz")!;
    await expect(
      withArtifact(
        { artifact: { url: `${base}/big.tar.gz`, digest: sha(big), revision: "r" }, path: "" },
        opts(),
        async () => 1,
      ),
    ).rejects.toThrow(/larger than/);
    expect(await readdir(tmp)).toEqual([]);
  });

  it("reports a missing path as ArtifactFailed 'kustomization path not found'", async () => {
    const err = await withArtifact({ artifact: good(), path: "./nope" }, opts(), async () => 1).catch(
      (e: unknown) => e,
    );
    expect((err as GenericError).reason).toBe("ArtifactFailed");
    expect((err as Error).message).toMatch(/^kustomization path not found/);
  });

  it("clamps '..' in the path to the artifact root", async () => {
    await expect(
      withArtifact({ artifact: good(), path: "../../deploy" }, opts(), async ({ dir, root }) =>
        path.relative(root, dir),
      ),
    ).resolves.toBe("deploy");
  });
});

describe("secureJoin", () => {
  it.each([
    ["", "/r"],
    ["./a/b", "/r/a/b"],
    ["../../etc", "/r/etc"],
    ["/abs/x", "/r/abs/x"],
    ["a/../../b", "/r/b"],
  ])("%s → %s", (rel, want) => {
    expect(secureJoin("/r", rel)).toBe(want);
  });
});

describe("artifact failover (issue 14)", () => {
  it("re-reads the source after a failed attempt and downloads the moved artifact at once", async () => {
    const refreshed: string[] = [];
    const dead = { ...good(), url: "http://127.0.0.1:1/gone.tar.gz" };
    const text = await withArtifact(
      { artifact: dead, path: "./deploy", refresh: async () => (refreshed.push("get"), good()) },
      { ...opts(), retries: 0 },
      async ({ dir }) => readFile(path.join(dir, "app.yaml"), "utf8"),
    );
    expect(text).toBe("kind: ConfigMap\n");
    expect(refreshed).toEqual(["get"]);
  });

  it("gives up on an address that never answers after the idle timeout, not the reconcile timeout", async () => {
    const silent = { ...good(), url: `${base}/silent.tar.gz` };
    const err = await withArtifact(
      { artifact: silent, path: "", refresh: async () => silent },
      { ...opts(), retries: 1, attemptIdleTimeoutMs: 100 },
      async () => "ok",
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GenericError);
    expect((err as Error).message).toMatch(/giving up after 2 attempt\(s\): .*no response for 100 ms/);
  });

  it("a 404 on a moved artifact follows it; a new revision ends the download to be retried at once", async () => {
    const missing = { ...good(), url: `${base}/missing.tar.gz` };
    await expect(
      withArtifact({ artifact: missing, path: "", refresh: async () => good() }, opts(), async () => "ok"),
    ).resolves.toBe("ok");
    const err = await withArtifact(
      { artifact: missing, path: "", refresh: async () => ({ ...good(), revision: "main@sha1:2" }) },
      opts(),
      async () => "ok",
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GenericError);
    expect((err as GenericError).retryAfterMs).toBe(0);
    expect((err as Error).message).toContain("source revision changed to 'main@sha1:2'");
  });
});
