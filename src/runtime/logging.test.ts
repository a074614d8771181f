import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger, reconcileLogger } from "./logging.js";

function capture() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString().split("\n").filter(Boolean)) lines.push(JSON.parse(l));
      cb();
    },
  });
  return { lines, destination };
}

const flush = () => new Promise((r) => setImmediate(r));

describe("logging", () => {
  it("writes Flux's keys as JSON", async () => {
    const { lines, destination } = capture();
    const log = reconcileLogger(createLogger({ destination, encoding: "json" }), {
      controller: "gitrepository",
      controllerKind: "GitRepository",
      name: "podinfo",
      namespace: "flux-system",
      reconcileID: "abc",
    });
    log.info("stored artifact");
    await flush();
    expect(lines[0]).toMatchObject({
      level: "info",
      msg: "stored artifact",
      controller: "gitrepository",
      controllerKind: "GitRepository",
      GitRepository: { name: "podinfo", namespace: "flux-system" },
      name: "podinfo",
      namespace: "flux-system",
      reconcileID: "abc",
    });
    expect(typeof lines[0]?.["ts"]).toBe("string");
    expect(lines[0]).not.toHaveProperty("pid");
  });

  it("never logs credentials", async () => {
    const { lines, destination } = capture();
    const log = createLogger({ destination, encoding: "json", level: "debug" });
    log.info(
      { url: "https://bot:s3cret@github.com/org/repo", password: "hunter22", nested: { token: "t0k" } },
      "cloning https://u:p4ss@host/x",
    );
    log.error({ error: new Error("auth failed for https://a:zzz@host/r") }, "failed");
    await flush();
    const text = JSON.stringify(lines);
    for (const s of ["s3cret", "hunter22", "t0k", "p4ss", "zzz"]) expect(text).not.toContain(s);
    expect(lines[0]?.["url"]).toBe("https://github.com/org/repo");
    expect(lines[1]?.["error"]).toBe("auth failed for https://host/r");
    expect(lines[1]?.["level"]).toBe("error");
  });

  it("respects the level", async () => {
    const { lines, destination } = capture();
    const log = createLogger({ destination, encoding: "json", level: "warn" });
    log.info("hidden");
    log.warn("shown");
    await flush();
    expect(lines.map((l) => l["msg"])).toEqual(["shown"]);
  });
});
