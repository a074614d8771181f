/**
 * The poll-until helper every test waits with (no cluster needed, so unit tests use it too): a
 * test waits on the condition it needs, never for a fixed time.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { stringify } from "yaml";

/** Options for {@link eventually}. */
export interface EventuallyOptions {
  timeoutMs?: number;
  intervalMs?: number;
}

/**
 * Polls `probe` until it returns a value other than undefined, and returns it. At the deadline it
 * throws with `what` and whatever `observe` last saw (e.g. the object as YAML), so a failing test
 * shows the state it was waiting on.
 */
export async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  observe: () => Promise<unknown> = async () => undefined,
  options: EventuallyOptions = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      lastError = err;
    }
    await sleep(options.intervalMs ?? 200);
  }
  const seen = await observe().catch((err: unknown) => `could not read: ${String(err)}`);
  const detail =
    seen === undefined ? "" : `\nlast observed:\n${typeof seen === "string" ? seen : stringify(seen)}`;
  const error =
    lastError === undefined
      ? ""
      : `\nlast error: ${lastError instanceof Error ? lastError.message : JSON.stringify(lastError)}`;
  throw new Error(`timed out waiting for ${what}${error}${detail}`);
}
