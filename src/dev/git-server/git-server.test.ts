import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { git } from "./git-cli.js";
import { startGitServer, type GitServer } from "./index.js";

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), "git-server-test-"));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe("test git server", () => {
  let server: GitServer;
  beforeAll(async () => {
    server = await startGitServer();
  });
  afterAll(async () => {
    await server.stop();
  });

  it("serves a pushed commit to git clone and logs the pack transfer", async () => {
    const repo = await server.createRepo("app");
    const sha = await repo.commit({ files: { "a.yaml": "a: 1\n", "dir/b.txt": "b" }, message: "first" });
    expect(sha).toMatch(/^[0-9a-f]{40}$/);
    expect(server.requests).toHaveLength(0);
    const dest = join(scratch, "clone1");
    await git(["clone", "-q", "--depth", "1", repo.url, dest], { cwd: scratch });
    expect(await readFile(join(dest, "dir/b.txt"), "utf8")).toBe("b");
    expect(server.packRequests()).toHaveLength(1);
    expect(server.requests[0]).toMatchObject({
      method: "GET",
      kind: "info-refs",
      service: "git-upload-pack",
    });
  });

  it("answers protocol v2 ls-remote without sending a pack", async () => {
    const repo = await server.createRepo("v2");
    const sha = await repo.commit({ files: { x: "1" } });
    server.clearRequests();
    const out = await git(["-c", "protocol.version=2", "ls-remote", repo.url, "refs/heads/main"], {
      cwd: scratch,
    });
    expect(out).toBe(`${sha}\trefs/heads/main`);
    expect(server.requests.some((r) => r.protocol === "version=2")).toBe(true);
    expect(server.packRequests()).toHaveLength(0);
  });

  it("deletes files, moves branches and creates tags", async () => {
    const repo = await server.createRepo("tags");
    const first = await repo.commit({ files: { keep: "k", gone: "g" } });
    const second = await repo.commit({ files: { gone: null } });
    expect(await repo.tag("v1.0.0", { target: first })).toBe(first);
    expect(await repo.tag("v2.0.0", { message: "annotated" })).toBe(second);
    await repo.commit({ files: { other: "o" }, branch: "dev" });
    const refs = await git(["ls-remote", repo.url], { cwd: scratch });
    expect(refs).toContain(`${first}\trefs/tags/v1.0.0`);
    expect(refs).toContain("refs/tags/v2.0.0^{}");
    expect(refs).toContain("refs/heads/dev");
    const dest = join(scratch, "clone-tags");
    await git(["clone", "-q", repo.url, dest], { cwd: scratch });
    expect(existsSync(join(dest, "gone"))).toBe(false);
    expect(existsSync(join(dest, "keep"))).toBe(true);
  });
});

describe("protected servers", () => {
  it("demands basic credentials with a 401 and WWW-Authenticate", async () => {
    const server = await startGitServer({ auth: { basic: { username: "u", password: "s3cret" } } });
    try {
      const repo = await server.createRepo("private");
      await repo.commit({ files: { f: "1" } });
      const res = await fetch(`${repo.url}/info/refs?service=git-upload-pack`);
      expect(res.status).toBe(401);
      expect(res.headers.get("www-authenticate")).toContain("Basic");
      const withCreds = repo.url.replace("http://", "http://u:s3cret@");
      await expect(git(["ls-remote", withCreds], { cwd: scratch })).resolves.toContain("refs/heads/main");
      const wrong = repo.url.replace("http://", "http://u:nope@");
      await expect(git(["ls-remote", wrong], { cwd: scratch })).rejects.toThrow();
    } finally {
      await server.stop();
    }
  });

  it("demands a bearer token and removes its temp dir on stop", async () => {
    const server = await startGitServer({ auth: { bearerToken: "tok" } });
    const repo = await server.createRepo("private");
    await repo.commit({ files: { f: "1" } });
    const url = `${repo.url}/info/refs?service=git-upload-pack`;
    expect((await fetch(url)).status).toBe(401);
    const ok = await fetch(url, { headers: { Authorization: "Bearer tok" } });
    expect(ok.status).toBe(200);
    await ok.arrayBuffer();
    await server.stop();
    expect(existsSync(server.root)).toBe(false);
  });
});
