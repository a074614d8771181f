import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ThreadPool } from "./thread-pool.js";

/** A worker that answers `{ wait }` after `wait` ms with its thread id. */
const WORKER = `
import { parentPort, threadId } from "node:worker_threads";
parentPort.on("message", ({ wait }) => {
  setTimeout(() => parentPort.postMessage({ ok: true, result: threadId }), wait);
});
`;

let dir: string;
let module: URL;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "thread-pool-"));
  await writeFile(join(dir, "worker.mjs"), WORKER);
  module = pathToFileURL(join(dir, "worker.mjs"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("ThreadPool sharing (issue 19: threads cost memory)", () => {
  it("runs tasks that arrive together on the warm threads only, while they are young", async () => {
    const pool = new ThreadPool({ module, size: 4, maxHeapMib: 64, warm: 1, spillAfterMs: 600_000 });
    try {
      const ids = await Promise.all(
        [1, 2, 3].map(() => pool.run<number>({ wait: 50 }, { timeoutMs: 60_000 })),
      );
      expect(new Set(ids).size).toBe(1);
      expect(pool.threadCount).toBe(1);
    } finally {
      await pool.close();
    }
  });

  it("starts another thread for a task stuck behind an old one, up to size", async () => {
    const pool = new ThreadPool({ module, size: 2, maxHeapMib: 64, warm: 1, spillAfterMs: 100 });
    const stop = new AbortController();
    try {
      const slow = pool.run<number>({ wait: 600_000 }, { timeoutMs: 600_000, signal: stop.signal });
      slow.catch(() => undefined);
      const fast = await pool.run<number>({ wait: 1 }, { timeoutMs: 60_000 });
      expect(typeof fast).toBe("number");
      expect(pool.threadCount).toBe(2);
      // At size, nothing more starts: a third task waits for a thread to free up.
      const third = pool.run<number>({ wait: 1 }, { timeoutMs: 60_000 });
      expect(await third).toBe(fast);
    } finally {
      stop.abort();
      await pool.close();
    }
  });

  it("without warm, starts a thread per waiting task as before", async () => {
    const pool = new ThreadPool({ module, size: 3, maxHeapMib: 64 });
    try {
      const ids = await Promise.all(
        [1, 2, 3].map(() => pool.run<number>({ wait: 200 }, { timeoutMs: 60_000 })),
      );
      expect(new Set(ids).size).toBe(3);
    } finally {
      await pool.close();
    }
  });
});
