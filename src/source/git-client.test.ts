import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { git as gitCli } from "../dev/git-server/git-cli.js";
import { startGitServer, type GitRepo, type GitServer } from "../dev/git-server/index.js";
import { findReconcileError } from "../runtime/errors.js";
import { archiveDirectory } from "./archive.js";
import { gitAuthFor, parseRepositoryUrl } from "./git-auth.js";
import { loadIgnoreMatcher } from "./ignore.js";
import { GitClient } from "./git-client.js";
import { refStrategy } from "./ref.js";
import type { GitRepositoryRef } from "../api/index.js";

let server: GitServer;
let repo: GitRepo;
let scratch: string;
let head: string;
let first: string;

beforeAll(async () => {
  server = await startGitServer();
  scratch = await mkdtemp(join(tmpdir(), "git-client-test-"));
  repo = await server.createRepo("app");
  first = await repo.commit({
    files: {
      "deploy/a.yaml": "a: 1\n",
      "run.sh": { content: "#!/bin/sh\n", executable: true },
      link: { symlink: "/etc/passwd" },
    },
  });
  await repo.tag("v1.0.0", { message: "release 1" });
  head = await repo.commit({ files: { "deploy/b.yaml": "b: 2\n" }, message: "add b\n\nbody" });
  await repo.tag("v1.1.0");
  await repo.tag("v2.0.0-rc.1");
  await repo.setRef("refs/pull/7/head", first);
});
afterAll(async () => {
  await server.stop();
  await rm(scratch, { recursive: true, force: true });
});

let n = 0;
function client() {
  return new GitClient({ cacheRoot: join(scratch, "cache") });
}
function target(key = `ns/obj${n++}`, url = repo.url, data?: Record<string, string>) {
  return { auth: gitAuthFor(parseRepositoryUrl(url), data), cacheKey: key };
}
async function checkout(c: GitClient, t: ReturnType<typeof target>, ref: GitRepositoryRef) {
  const strategy = refStrategy(ref);
  const resolved = await c.resolve(t, strategy);
  const dest = await mkdtemp(join(scratch, "wd-"));
  const result = await c.checkout(t, { strategy, resolved, dest });
  return { resolved, dest, result };
}

describe("GitClient", () => {
  it("resolves each ref kind to the right revision", async () => {
    const c = client();
    const t = target();
    expect((await c.resolve(t, refStrategy({ branch: "main" }))).revision).toBe(`main@sha1:${head}`);
    expect((await c.resolve(t, refStrategy({ tag: "v1.0.0" }))).revision).toBe(`v1.0.0@sha1:${first}`);
    expect((await c.resolve(t, refStrategy({ semver: "1.x" }))).revision).toBe(`v1.1.0@sha1:${head}`);
    expect((await c.resolve(t, refStrategy({ name: "refs/pull/7/head" }))).revision).toBe(
      `refs/pull/7/head@sha1:${first}`,
    );
    expect((await c.resolve(t, refStrategy({ commit: first }))).revision).toBe(`sha1:${first}`);
  });

  it("ls-refs uses protocol v2 and sends no pack", async () => {
    server.clearRequests();
    await client().resolve(target(), refStrategy({ branch: "main" }));
    expect(server.requests.some((r) => r.protocol === "version=2")).toBe(true);
    expect(server.packRequests()).toHaveLength(0);
  });

  it("discovers a server once, then lists refs and fetches with one v2 POST each", async () => {
    const c = client();
    const requests = async (op: () => Promise<unknown>): Promise<string[]> => {
      await server.settled();
      server.clearRequests();
      await op();
      await server.settled();
      return server.requests.map((r) => `${r.method} ${r.kind} ${r.protocol ?? "v0"}`).sort();
    };
    expect(await requests(() => checkout(c, target(), { branch: "main" }))).toEqual([
      "GET info-refs version=2",
      "POST rpc version=2",
      "POST rpc version=2",
    ]);
    expect(server.packRequests()).toHaveLength(1);
    // Another repository of the same server: no discovery.
    const other = target();
    let dest = "";
    expect(await requests(async () => ({ dest } = await checkout(c, other, { branch: "main" })))).toEqual([
      "POST rpc version=2",
      "POST rpc version=2",
    ]);
    expect(await readFile(join(dest, "deploy/b.yaml"), "utf8")).toBe("b: 2\n");
    expect(server.packRequests()).toHaveLength(1);
    // The poll of an unchanged branch: one ls-refs.
    expect(await requests(() => c.resolve(other, refStrategy({ branch: "main" })))).toEqual([
      "POST rpc version=2",
    ]);
  });

  it("falls back to a discovery when a known server stops speaking v2, and fetches with v0", async () => {
    const c = client();
    await c.resolve(target(), refStrategy({ branch: "main" }));
    await server.settled();
    server.setProtocolV2(false);
    try {
      server.clearRequests();
      const { resolved, dest, result } = await checkout(c, target(), { tag: "v1.0.0" });
      expect(resolved.revision).toBe(`v1.0.0@sha1:${first}`);
      expect(result.fetched).toBe(true);
      expect(existsSync(join(dest, "deploy/a.yaml"))).toBe(true);
      // The v2 ls-refs failed, the discovery found v0 (refs included), the fetch discovered for its
      // capabilities: nothing cached from v2 is used again.
      await server.settled();
      expect(server.requests.map((r) => `${r.method} ${r.kind}`).sort()).toEqual([
        "GET info-refs",
        "GET info-refs",
        "POST rpc",
        "POST rpc",
      ]);
      expect(server.packRequests()).toHaveLength(1);
      server.clearRequests();
      await c.resolve(target(), refStrategy({ branch: "main" }));
      await server.settled();
      expect(server.requests.map((r) => `${r.method} ${r.kind}`)).toEqual(["GET info-refs"]);
    } finally {
      server.setProtocolV2(true);
    }
  });

  it("checks out a branch, keeps exec bits, drops symlinks, and reuses the cache", async () => {
    const c = client();
    const t = target();
    const { dest, result } = await checkout(c, t, { branch: "main" });
    expect(result.fetched).toBe(true);
    expect(result.subject).toBe("add b");
    expect(await readFile(join(dest, "deploy/b.yaml"), "utf8")).toBe("b: 2\n");
    expect((await stat(join(dest, "run.sh"))).mode & 0o111).not.toBe(0);
    expect(existsSync(join(dest, "link"))).toBe(false);
    server.clearRequests();
    const again = await checkout(c, t, { branch: "main" });
    expect(again.result.fetched).toBe(false);
    expect(server.packRequests()).toHaveLength(0);
  });

  it("fetches only what is new after a push", async () => {
    const c = client();
    const t = target();
    await checkout(c, t, { branch: "main" });
    const initialPack = server.packRequests().at(-1)!.bytesSent;
    const next = await repo.commit({ files: { "deploy/c.yaml": "c: 3\n" } });
    server.clearRequests();
    const { resolved, dest } = await checkout(c, t, { branch: "main" });
    expect(resolved.commit).toBe(next);
    expect(existsSync(join(dest, "deploy/c.yaml"))).toBe(true);
    expect(server.packRequests()).toHaveLength(1);
    expect(server.packRequests()[0]!.bytesSent).toBeLessThan(initialPack);
    head = next;
  });

  it("checks out tags, commits (with history) and full refs", async () => {
    const c = client();
    expect(existsSync(join((await checkout(c, target(), { tag: "v1.0.0" })).dest, "deploy/b.yaml"))).toBe(
      false,
    );
    const byCommit = await checkout(c, target(), { commit: first, branch: "main" });
    expect(byCommit.result.commit).toBe(first);
    expect(byCommit.resolved.revision).toBe(`main@sha1:${first}`);
    expect(
      existsSync(join((await checkout(c, target(), { name: "refs/pull/7/head" })).dest, "deploy/a.yaml")),
    ).toBe(true);
  });

  it("classifies failures into Flux reasons", async () => {
    const c = client();
    const reason = async (p: Promise<unknown>) =>
      findReconcileError(
        await p.then(
          () => undefined,
          (e: unknown) => e,
        ),
      )?.reason;
    expect(await reason(c.resolve(target(), refStrategy({ branch: "nope" })))).toBe("GitOperationFailed");
    expect(await reason(c.resolve(target(), refStrategy({ semver: ">=9.0.0" })))).toBe("GitOperationFailed");
    const empty = await server.createRepo("empty");
    expect(await reason(c.resolve(target("ns/e", empty.url), refStrategy({ branch: "main" })))).toBe(
      "EmptyGitRepository",
    );
    expect(await reason(c.resolve(target("ns/x", "http://127.0.0.1:1/x.git"), refStrategy({})))).toBe(
      "GitOperationFailed",
    );
    expect(await reason(c.resolve(target("ns/y", `${server.url}/missing.git`), refStrategy({})))).toBe(
      "GitOperationFailed",
    );
  });

  it("refuses packs above the limit with a clear message", async () => {
    const c = new GitClient({ cacheRoot: join(scratch, "small"), maxPackBytes: 64 });
    server.clearRequests();
    const err = await checkout(c, target("ns/big"), { branch: "main" }).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/exceeds the maximum size of 64 bytes/);
  });
});

describe("GitClient against protected servers", () => {
  it("authenticates with basic and bearer credentials and reports AuthenticationFailed otherwise", async () => {
    const basic = await startGitServer({ auth: { basic: { username: "git", password: "hunter22" } } });
    const bearer = await startGitServer({ auth: { bearerToken: "tok-123456" } });
    try {
      const r1 = await basic.createRepo("p");
      const sha1 = await r1.commit({ files: { f: "1" } });
      const r2 = await bearer.createRepo("p");
      const sha2 = await r2.commit({ files: { f: "1" } });
      const c = client();
      const ok1 = await c.resolve(
        target("a/1", r1.url, { username: "git", password: "hunter22" }),
        refStrategy({ branch: "main" }),
      );
      expect(ok1.commit).toBe(sha1);
      const ok2 = await checkout(c, target("a/2", r2.url, { bearerToken: "tok-123456" }), { branch: "main" });
      expect(ok2.result.commit).toBe(sha2);
      const bad = await c
        .resolve(
          target("a/3", r1.url, { username: "git", password: "wrong-pass" }),
          refStrategy({ branch: "main" }),
        )
        .catch((e: unknown) => e);
      expect(findReconcileError(bad)?.reason).toBe("AuthenticationFailed");
      expect((bad as Error).message).not.toContain("wrong-pass");
      expect((bad as Error).message).toContain("check the credentials in spec.secretRef");
      const none = await c
        .resolve(target("a/4", r2.url), refStrategy({ branch: "main" }))
        .catch((e: unknown) => e);
      expect(findReconcileError(none)?.reason).toBe("AuthenticationFailed");
      expect((none as Error).message).toContain("the repository needs credentials: set spec.secretRef");
      // Issue 14: a wrong password in the URL itself, with no secretRef, points at the URL.
      const inUrl = r1.url.replace("://", "://git:wrong-pass@");
      const badUrl = await c
        .resolve(target("a/5", inUrl), refStrategy({ branch: "main" }))
        .catch((e: unknown) => e);
      expect(findReconcileError(badUrl)?.reason).toBe("AuthenticationFailed");
      expect((badUrl as Error).message).toContain("check the username and password in spec.url");
      expect((badUrl as Error).message).not.toContain("secretRef");
      expect((badUrl as Error).message).not.toContain("wrong-pass");
    } finally {
      await basic.stop();
      await bearer.stop();
    }
  });
});

describe("GitClient over HTTPS with a custom CA", () => {
  it("trusts ca.crt from the secret and explains a TLS failure without it", async () => {
    const dir = await mkdtemp(join(scratch, "tls-"));
    const run = promisify(execFile);
    await run("openssl", [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-days",
      "1",
      "-subj",
      "/CN=127.0.0.1",
      "-addext",
      "subjectAltName=IP:127.0.0.1",
      "-keyout",
      join(dir, "key.pem"),
      "-out",
      join(dir, "cert.pem"),
    ]);
    const key = await readFile(join(dir, "key.pem"), "utf8");
    const cert = await readFile(join(dir, "cert.pem"), "utf8");
    const tls = await startGitServer({ tls: { key, cert } });
    try {
      const r = await tls.createRepo("secure");
      const sha = await r.commit({ files: { f: "1" } });
      expect(r.url.startsWith("https://")).toBe(true);
      const c = client();
      const ok = await checkout(c, target("tls/ok", r.url, { "ca.crt": cert }), { branch: "main" });
      expect(ok.result.commit).toBe(sha);
      const bad = await c
        .resolve(target("tls/bad", r.url), refStrategy({ branch: "main" }))
        .catch((e: unknown) => e);
      expect(findReconcileError(bad)?.reason).toBe("GitOperationFailed");
      expect((bad as Error).message).toMatch(/TLS verification failed.*ca\.crt/);
    } finally {
      await tls.stop();
    }
  });
});

describe("archiving straight from git objects", () => {
  it("gives the same bytes as checkout plus directory archive, ignore rules included", async () => {
    const r = await server.createRepo("equiv");
    const sha = await r.commit({
      files: {
        ".sourceignore": "*.md\n/secret/\n",
        "apps/.sourceignore": "local.yaml\n",
        "apps/local.yaml": "l",
        "apps/app.yaml": "a",
        "apps/a.b/x.yaml": "x",
        "apps/a/y.yaml": "y",
        "README.md": "r",
        "secret/key.yaml": "k",
        "bin/run.sh": { content: "#!/bin/sh\n", executable: true },
        "only-links/l": { symlink: "../apps" },
        ".gitignore": "x",
        link: { symlink: "/etc/passwd" },
      },
    });
    const c = client();
    const t = target("equiv/1", r.url);
    const strategy = refStrategy({ branch: "main" });
    const resolved = await c.resolve(t, strategy);
    const dest = await mkdtemp(join(scratch, "equiv-"));
    await c.checkout(t, { strategy, resolved, dest });
    const viaCheckout = await archiveDirectory(
      dest,
      join(scratch, "equiv-a.tar.gz"),
      await loadIgnoreMatcher(dest, "!apps/local.yaml\n"),
    );
    const fetched = await c.fetch(target("equiv/2", r.url), { strategy, resolved });
    expect(fetched.commit).toBe(sha);
    const direct = await c.archive("equiv/2", {
      commit: sha,
      dest: join(scratch, "equiv-b.tar.gz"),
      specIgnore: "!apps/local.yaml\n",
    });
    expect(direct).toEqual(viaCheckout);
  });
});

describe("incremental fetch after a force-push to unrelated history", () => {
  it("starts the cache over with depth 1 instead of fetching the whole new history", async () => {
    const r = await server.createRepo("forced");
    await r.commit({ files: { small: "1" } });
    const other = await server.createRepo("forced-src");
    await other.commit({ files: { "big.bin": randomBytes(120_000) } });
    const tip = await other.commit({ files: { "big.bin": null, small: "2" } });
    const c = new GitClient({ cacheRoot: join(scratch, "forced"), maxPackBytes: 60_000 });
    const t = target("forced/1", r.url);
    await checkout(c, t, { branch: "main" });
    await gitCli(["fetch", "-q", "--force", other.barePath, "refs/heads/main:refs/heads/main"], {
      cwd: r.barePath,
    });
    const { result, dest } = await checkout(c, t, { branch: "main" });
    expect(result.commit).toBe(tip);
    expect(await readFile(join(dest, "small"), "utf8")).toBe("2");
    // Three repositories, two git CLI runs and two fetches: past 5 s on a loaded 2-core machine.
  }, 60_000);
});
