/**
 * Interval jitter (Flux `--interval-jitter-percentage`, default 5).
 *
 * Objects created together would otherwise requeue together forever; spreading each successful
 * requeue by up to ± 5 % de-synchronises them without changing the mean period.
 */

/** Flux's default jitter percentage. */
export const DEFAULT_JITTER_PERCENT = 5;

/**
 * `intervalMs` × (1 ± up to `percent` %), uniformly distributed. `random` returns [0, 1) and is
 * injectable so tests are deterministic. A non-positive interval is returned unchanged.
 */
export function jitter(
  intervalMs: number,
  percent: number = DEFAULT_JITTER_PERCENT,
  random: () => number = Math.random,
): number {
  if (intervalMs <= 0 || percent <= 0) return intervalMs;
  const spread = (intervalMs * Math.min(percent, 100)) / 100;
  return intervalMs + (random() * 2 - 1) * spread;
}

/** A jitter function bound to a percentage, for option objects. */
export function jitterWith(
  percent: number,
  random: () => number = Math.random,
): (intervalMs: number) => number {
  return (intervalMs) => jitter(intervalMs, percent, random);
}
