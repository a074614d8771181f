import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveRequestPath, startArtifactServer } from "./server.js";
import type { ListeningServer } from "../runtime/listen.js";

let root = "";
let srv: ListeningServer;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "server-test-"));
  await mkdir(join(root, "store/gitrepository/ns/app"), { recursive: true });
  await writeFile(join(root, "store/gitrepository/ns/app/abc.tar.gz"), "artifact-bytes");
  await writeFile(join(root, "secret"), "outside");
  srv = await startArtifactServer(join(root, "store"), "127.0.0.1:0");
});
afterAll(async () => {
  await srv.close();
  await rm(root, { recursive: true, force: true });
});

/** Raw GET so the client does not normalise `..` away. */
function rawGet(path: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: string }>((ok, fail) => {
    const req = request({ host: "127.0.0.1", port: srv.port, path, headers }, (res) => {
      let body = "";
      res.on("data", (c: Buffer) => (body += c.toString()));
      res.on("end", () => ok({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("error", fail);
    req.end();
  });
}

describe("artifact server", () => {
  it("serves files with Content-Length and ETag, and honours If-None-Match", async () => {
    const res = await rawGet("/gitrepository/ns/app/abc.tar.gz");
    expect(res.status).toBe(200);
    expect(res.body).toBe("artifact-bytes");
    expect(res.headers["content-length"]).toBe("14");
    const etag = res.headers.etag as string;
    expect(etag).toMatch(/^".+"$/);
    expect((await rawGet("/gitrepository/ns/app/abc.tar.gz", { "If-None-Match": etag })).status).toBe(304);
  });

  it("answers 404 for missing files and directories and refuses traversal", async () => {
    expect((await rawGet("/gitrepository/ns/app/nope.tar.gz")).status).toBe(404);
    expect((await rawGet("/gitrepository/ns/app")).status).toBe(404);
    expect((await rawGet("/../secret")).status).toBe(404);
    expect((await rawGet("/gitrepository/%2e%2e/%2e%2e/%2e%2e/secret")).status).toBe(404);
    expect(resolveRequestPath("/data", "/a/../../etc/passwd")).toBeUndefined();
    expect(resolveRequestPath("/data", "/a/%00")).toBeUndefined();
    expect(resolveRequestPath("/data", "/a/b")).toBe("/data/a/b");
    expect(resolveRequestPath("/data", "/.git-cache/ns/app/HEAD")).toBeUndefined();
    expect(resolveRequestPath("/data", "/gitrepository/ns/app/.abc.tar.gz.1234.tmp")).toBeUndefined();
  });

  it("answers the readiness probe on /", async () => {
    expect((await rawGet("/")).status).toBe(200);
  });
});
