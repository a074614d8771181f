/**
 * Work-queue throughput: keys per second through a no-op reconciler at concurrency 4 (issue 3).
 * `npx tsx bench/queue.bench.ts [keys] [rounds]`. Exports {@link benchQueue} for the harness.
 */
import { Results } from "../src/runtime/reconciler.js";
import { WorkQueue } from "../src/runtime/queue/work-queue.js";
import { WorkerPool } from "../src/runtime/queue/worker-pool.js";

/** One round: `keys` distinct keys added at once, drained by 4 workers; returns keys/s. */
export async function benchQueue(keys: number): Promise<number> {
  const queue = new WorkQueue({ name: "bench" });
  let done = 0;
  let finish: () => void = () => undefined;
  const all = new Promise<void>((r) => (finish = r));
  const pool = new WorkerPool({
    queue,
    concurrency: 4,
    handle: async () => {
      if (++done === keys) finish();
      return Results.done();
    },
  });
  const started = performance.now();
  pool.start();
  for (let i = 0; i < keys; i++) queue.add(`ns/key-${i}`);
  await all;
  const seconds = (performance.now() - started) / 1000;
  await pool.stop();
  return keys / seconds;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const keys = Number(process.argv[2] ?? 100_000);
  const rounds = Number(process.argv[3] ?? 5);
  const figures: number[] = [];
  await benchQueue(Math.min(keys, 10_000)); // warm-up
  for (let i = 0; i < rounds; i++) figures.push(await benchQueue(keys));
  figures.sort((a, b) => a - b);
  const median = figures[Math.floor(figures.length / 2)] ?? 0;
  console.log(
    `queue: ${keys} keys, no-op reconciler, concurrency 4: median ${Math.round(median)} keys/s ` +
      `(min ${Math.round(figures[0] ?? 0)}, max ${Math.round(figures.at(-1) ?? 0)}, ${rounds} rounds)`,
  );
}
