import { getEventListeners } from "node:events";
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

describe("ThreadPool and the task's signal (issue 19: a listener left on a signal leaks it)", () => {
  it("leaves no abort listener on the signal once the task has run", async () => {
    const pool = new ThreadPool({ module, size: 1, maxHeapMib: 64 });
    const stop = new AbortController();
    try {
      // The second task waits for the first one's thread, so both the waiting and the running
      // paths are taken.
      await Promise.all(
        [1, 2].map(() => pool.run<number>({ wait: 20 }, { timeoutMs: 60_000, signal: stop.signal })),
      );
      expect(getEventListeners(stop.signal, "abort")).toHaveLength(0);
    } finally {
      await pool.close();
    }
  });

  it("still cancels a task waiting for a thread when its signal aborts, and lets go of the signal", async () => {
    const pool = new ThreadPool({ module, size: 1, maxHeapMib: 64 });
    const first = new AbortController();
    const second = new AbortController();
    try {
      const running = pool.run<number>({ wait: 600_000 }, { timeoutMs: 600_000, signal: first.signal });
      running.catch(() => undefined);
      const waiting = pool.run<number>({ wait: 1 }, { timeoutMs: 60_000, signal: second.signal });
      second.abort();
      await expect(waiting).rejects.toThrow("the task was cancelled");
      expect(getEventListeners(second.signal, "abort")).toHaveLength(0);
    } finally {
      first.abort();
      await pool.close();
    }
  });

  it("lets go of the signal of a task still waiting when the pool closes", async () => {
    const pool = new ThreadPool({ module, size: 1, maxHeapMib: 64 });
    const stop = new AbortController();
    const running = pool.run<number>({ wait: 600_000 }, { timeoutMs: 600_000 });
    running.catch(() => undefined);
    const waiting = expect(
      pool.run<number>({ wait: 1 }, { timeoutMs: 60_000, signal: stop.signal }),
    ).rejects.toThrow("the thread pool is closed");
    await pool.close();
    await waiting;
    expect(getEventListeners(stop.signal, "abort")).toHaveLength(0);
  });
});
