/**
 * Where one reconcile's time went, phase by phase (source, fetch, build, apply, …), for a debug
 * log line: a slow reconcile then says whether it waited on the source, a build thread or the API
 * server, which `Reconciliation finished in …` alone cannot.
 */
export class PhaseTimer {
  private last: number;
  private readonly laps: [string, number][] = [];

  constructor(private readonly now: () => number = () => performance.now()) {
    this.last = now();
  }

  /** Ends the phase `name` (the time since the previous lap, or since the start); repeats add up. */
  lap(name: string): void {
    const t = this.now();
    const entry = this.laps.find(([n]) => n === name);
    if (entry) entry[1] += t - this.last;
    else this.laps.push([name, t - this.last]);
    this.last = t;
  }

  /** Whole milliseconds per phase, in the order the phases first ended. */
  summary(): Record<string, number> {
    return Object.fromEntries(this.laps.map(([n, ms]) => [n, Math.round(ms)]));
  }
}
