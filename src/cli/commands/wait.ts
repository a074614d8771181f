import { setTimeout as sleep } from "node:timers/promises";
import { CliError, type CliIo } from "../context.js";
import type { FluxKind, FluxObject, FluxObjects } from "../flux-objects.js";

/** What a wait ends on: the object once it is done, or a failure message. */
export type WaitOutcome = { done: true; obj: FluxObject } | { done: false; failed?: string };

/**
 * Polls an object until `check` says it is done or failed, printing a progress line every few
 * seconds on a terminal so a long wait never looks hung. Times out with exit code 1.
 */
export async function waitFor(
  objects: FluxObjects,
  target: { kind: FluxKind; namespace: string; name: string },
  check: (obj: FluxObject) => WaitOutcome,
  options: { timeoutMs: number; io: CliIo; what: string },
): Promise<FluxObject> {
  const started = Date.now();
  let lastProgress = started;
  for (;;) {
    const obj = await objects.get(target.kind, target.namespace, target.name);
    const outcome = check(obj);
    if (outcome.done) return outcome.obj;
    if (outcome.failed) throw new CliError(outcome.failed);
    if (Date.now() - started > options.timeoutMs) {
      throw new CliError(
        `timed out after ${Math.round(options.timeoutMs / 1000)}s waiting for ${options.what}`,
      );
    }
    if (Date.now() - lastProgress >= 5000) {
      options.io.stderr(
        `◎ still waiting for ${options.what} (${Math.round((Date.now() - started) / 1000)}s)\n`,
      );
      lastProgress = Date.now();
    }
    await sleep(500);
  }
}
