/**
 * A signal that aborts with its parent or after a delay, as `AbortSignal.any([parent,
 * AbortSignal.timeout(ms)])` does, with the same reason (a `TimeoutError` DOMException), and a
 * `release` that ends the timer once the work is over.
 *
 * Why not AbortSignal.timeout: Node keeps a timeout signal, its timer and the signals composed
 * from it until the delay has passed, whether or not anything still uses them. A reconcile's
 * 5-minute deadline so held about 0.7 KiB per reconcile for 5 minutes after it ended (issue 19:
 * 2,046 such signals in the heap of a controller with 1,000 Kustomizations).
 */

/** Longest delay setTimeout takes; Node fires a longer one after 1 ms instead. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** A deadline's signal and the release of its timer. */
export interface Deadline {
  readonly signal: AbortSignal;
  /** Ends the timer (the signal no longer times out); call once the work is over. */
  release(): void;
}

/** A signal aborted by `parent` or `ms` milliseconds from now; see the module comment. */
export function deadline(parent: AbortSignal, ms: number): Deadline {
  const timeout = new AbortController();
  // A delay past what a timer can hold never comes in practice: no timer rather than one that
  // fires at once.
  const timer =
    ms <= MAX_TIMER_MS
      ? setTimeout(
          () => timeout.abort(new DOMException("The operation was aborted due to timeout", "TimeoutError")),
          ms,
        )
      : undefined;
  // Like AbortSignal.timeout's timer, it does not keep the process alive.
  timer?.unref();
  return { signal: AbortSignal.any([parent, timeout.signal]), release: () => clearTimeout(timer) };
}
