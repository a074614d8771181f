/**
 * The periodic full check of the no-op cache (issue 17, `--verify-noop-every`): every Nth apply
 * of a Kustomization dry-runs every object even where the cache says nothing changed, so that
 * whatever the cache cannot see (an admission webhook that would now refuse, a change the watch
 * missed) surfaces within N intervals, as it would at every interval in Flux.
 */
export class NoopVerifySchedule {
  private readonly counts = new Map<string, number>();

  /** `every`: 1 verifies every apply (Flux's behaviour), 0 never. */
  constructor(private readonly every: number) {}

  /** Whether this apply of Kustomization `key` verifies every object; counts it. */
  next(key: string): boolean {
    if (this.every <= 0) return false;
    const n = ((this.counts.get(key) ?? 0) + 1) % this.every;
    this.counts.set(key, n);
    return n === 0;
  }

  /** Drops the count of a deleted Kustomization. */
  forget(key: string): void {
    this.counts.delete(key);
  }
}
