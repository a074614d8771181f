/**
 * The controller process's garbage-collection policy (issue 19: peak RSS at 1,000 apps).
 *
 * With a small young generation (the image's `--max-semi-space-size=2`) most of the controller's
 * short-lived garbage (watch events, apply bodies, git and artifact buffers in flight) is promoted
 * before it dies, and V8 lets the old generation grow to about 2.7× what survives before its next
 * full collection: in S1 at 1,000 apps the main heap reached 137 MiB for about 50 MiB live, and the
 * ArrayBuffers those dead objects held (up to 40 MiB) were freed only then. V8 keeps the pages it
 * grew to, so that high-water mark is the process's peak RSS.
 *
 * `--heap-growing-percent` fixes the growth between full collections instead. V8 reads it each time
 * it sets its next limit, so setting it at start-up is enough; it is not one of the flags Node
 * accepts in NODE_OPTIONS, hence here. S1 at 1,000 apps on a quiet machine
 * (bench/results/2026-12-07-s1-1000-gc.md): peak RSS 326 -> 259 MiB for 40.3 -> 61.5 CPU-s (+53%
 * over the burst; Flux: 337 MiB, 111.9 CPU-s). The trade keeps both below Flux; without it the
 * peak sits within noise of Flux's. 50% measured 273 MiB, 55.7 CPU-s.
 * Only the `controller` command sets it (not the CLI's other commands, not tests that start a
 * controller in process). V8 flags are process-wide: the build threads get the same policy.
 */
import { setFlagsFromString } from "node:v8";

/** Old-generation growth allowed between full collections, in percent of what survived. */
export const HEAP_GROWING_PERCENT = 25;

/** Applies the policy to this process (V8 flags are process-wide). */
export function applyControllerGcPolicy(): void {
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
