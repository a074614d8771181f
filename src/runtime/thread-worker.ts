/**
 * The worker-thread side of {@link ThreadPool} (thread-pool.ts): receives one request at a time,
 * runs the handler, posts the result or the error's name and message back.
 */
import { parentPort } from "node:worker_threads";

/** What a worker posts back for one request. */
export type TaskReply =
  { readonly ok: true; readonly result: unknown } | { readonly ok: false; readonly error: TaskError };

/** An error as it crosses the thread boundary (classes do not): name, message, `details` if any. */
export interface TaskError {
  readonly name: string;
  readonly message: string;
  readonly details?: string;
}

function taskError(err: unknown): TaskError {
  if (!(err instanceof Error)) return { name: "Error", message: String(err) };
  const details = (err as { details?: unknown }).details;
  return { name: err.name, message: err.message, ...(typeof details === "string" ? { details } : {}) };
}

/** Serves the pool's requests with `handler` (call once, at the top of the worker module). */
export function serveTasks<Req, Res>(handler: (request: Req) => Promise<Res>): void {
  const port = parentPort;
  if (port === null) throw new Error("serveTasks must run in a worker thread");
  port.on("message", (request: Req) => {
    void handler(request).then(
      (result) => port.postMessage({ ok: true, result } satisfies TaskReply),
      (err: unknown) => port.postMessage({ ok: false, error: taskError(err) } satisfies TaskReply),
    );
  });
}
