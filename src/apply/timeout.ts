/**
 * Kustomization timing rules that both the reconciler and the health checker need.
 */

const THIRTY_SECONDS = 30_000;

/**
 * `spec.timeout` in effect (ms): the explicit value if set, else `interval − 30s`; never below
 * 30 s, even when set explicitly lower (Flux's `GetTimeout`).
 */
export function kustomizationTimeout(intervalMs: number, timeoutMs?: number): number {
  const t = timeoutMs ?? intervalMs - THIRTY_SECONDS;
  return Math.max(t, THIRTY_SECONDS);
}

/** `spec.retryInterval` in effect (ms): defaults to `interval`. */
export function kustomizationRetryInterval(intervalMs: number, retryIntervalMs?: number): number {
  return retryIntervalMs ?? intervalMs;
}
