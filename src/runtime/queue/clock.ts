/**
 * Time as the queue sees it. Injected so backoff, delays and metrics can be tested with a fake
 * clock instead of sleeping (conventions.md: pure units with a fake clock).
 */

/** An opaque timer handle. */
export interface TimerHandle {
  readonly id: number;
}

/** The clock the queue and rate limiter use. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Runs `fn` after `ms` milliseconds. */
  setTimer(fn: () => void, ms: number): TimerHandle;
  clearTimer(handle: TimerHandle): void;
}

/** The real clock: Date.now and Node timers (unref'd so a pending delay never keeps a process up). */
export function realClock(): Clock {
  const timers = new Map<number, NodeJS.Timeout>();
  let next = 0;
  return {
    now: () => Date.now(),
    setTimer(fn, ms) {
      const id = ++next;
      const t = setTimeout(
        () => {
          timers.delete(id);
          fn();
        },
        Math.max(0, ms),
      );
      t.unref();
      timers.set(id, t);
      return { id };
    },
    clearTimer(handle) {
      clearTimeout(timers.get(handle.id));
      timers.delete(handle.id);
    },
  };
}
