/**
 * Leader election on a coordination.k8s.io/v1 Lease (client-go leaderelection semantics,
 * controller-runtime defaults: lease 15 s, renew deadline 10 s, retry 2 s).
 *
 * Only the leader reconciles. Expiry is judged by the candidate's own clock from when it last saw
 * the lease record change (never by comparing timestamps written by another machine), and a leader
 * that has not renewed within the renew deadline gives up before its lease can expire for others.
 */
import type { Logger } from "pino";
import type { Clock } from "./queue/clock.js";
import { realClock } from "./queue/clock.js";
import { microTime, type LeaseClient, type LeaseRecord, type StoredLease } from "./lease-client.js";

/** Timing and identity. */
export interface LeaderElectionConfig {
  readonly identity: string;
  readonly leaseDurationMs?: number;
  readonly renewDeadlineMs?: number;
  readonly retryPeriodMs?: number;
  /** Give the lease up on a clean stop so a successor need not wait for expiry (default true). */
  readonly releaseOnCancel?: boolean;
}

/** controller-runtime's defaults. */
export const LEADER_ELECTION_DEFAULTS = {
  leaseDurationMs: 15_000,
  renewDeadlineMs: 10_000,
  retryPeriodMs: 2_000,
};

/** What the elector calls as leadership comes and goes. */
export interface LeaderCallbacks {
  /** Leadership acquired; `signal` aborts the moment it is lost or given up. */
  onStartedLeading(signal: AbortSignal): void;
  /** Leadership ended; the lease is released (on cancel) only after the returned promise settles. */
  onStoppedLeading(): void | Promise<void>;
}

/** How {@link LeaderElector.run} ended. */
export type LeaderElectionEnd = "cancelled" | "lost";

/** Runs one candidate. */
export class LeaderElector {
  private observed: { json: string; at: number } | undefined;
  private leader = false;
  private readonly clock: Clock;
  private readonly timing: typeof LEADER_ELECTION_DEFAULTS;

  constructor(
    private readonly client: LeaseClient,
    private readonly config: LeaderElectionConfig,
    private readonly log?: Logger,
    clock?: Clock,
  ) {
    this.clock = clock ?? realClock();
    this.timing = { ...LEADER_ELECTION_DEFAULTS, ...stripUndefined(config) };
    if (this.timing.renewDeadlineMs >= this.timing.leaseDurationMs) {
      throw new Error("leader election: renew deadline must be shorter than the lease duration");
    }
  }

  /** True while this candidate holds the lease. */
  isLeader(): boolean {
    return this.leader;
  }

  /**
   * Campaigns until leader, leads until `signal` aborts ("cancelled") or renewal fails ("lost").
   */
  async run(callbacks: LeaderCallbacks, signal: AbortSignal): Promise<LeaderElectionEnd> {
    while (!signal.aborted && !(await this.tryAcquireOrRenew())) {
      await this.sleep(this.timing.retryPeriodMs * (1 + Math.random() * 0.2), signal);
    }
    if (signal.aborted) return "cancelled";
    this.leader = true;
    // `holderIdentity`, the Lease's own field name: the logger redacts any `identity` key (it is the
    // SSH private key's name in Flux Secrets), which made the replica unreadable (issue 14).
    this.log?.info(
      { lease: this.client.describe, holderIdentity: this.config.identity },
      "leader election won",
    );
    const leading = new AbortController();
    callbacks.onStartedLeading(leading.signal);
    const end = await this.renewLoop(signal);
    this.leader = false;
    leading.abort();
    await callbacks.onStoppedLeading();
    if (end === "cancelled" && (this.config.releaseOnCancel ?? true)) await this.release();
    if (end === "lost") this.log?.error({ lease: this.client.describe }, "leader election lost");
    return end;
  }

  /** Renews every retry period; "lost" once the renew deadline passes without a success. */
  private async renewLoop(signal: AbortSignal): Promise<LeaderElectionEnd> {
    let lastRenew = this.clock.now();
    while (!signal.aborted) {
      await this.sleep(this.timing.retryPeriodMs, signal);
      if (signal.aborted) break;
      const remaining = lastRenew + this.timing.renewDeadlineMs - this.clock.now();
      const ok = remaining > 0 && (await this.withDeadline(this.tryAcquireOrRenew(), remaining));
      if (ok) lastRenew = this.clock.now();
      else if (this.clock.now() - lastRenew >= this.timing.renewDeadlineMs) return "lost";
    }
    return "cancelled";
  }

  /** One attempt (client-go tryAcquireOrRenew). Errors count as failure. */
  async tryAcquireOrRenew(): Promise<boolean> {
    try {
      return await this.attempt();
    } catch (err) {
      this.log?.warn({ lease: this.client.describe, error: err }, "leader election attempt failed");
      return false;
    }
  }

  private async attempt(): Promise<boolean> {
    const now = this.clock.now();
    const fresh = (transitions: number, acquireTime: string): LeaseRecord => ({
      holderIdentity: this.config.identity,
      leaseDurationSeconds: Math.ceil(this.timing.leaseDurationMs / 1000),
      acquireTime,
      renewTime: microTime(now),
      leaseTransitions: transitions,
    });
    const current = await this.client.get();
    if (current === undefined) return this.client.create(fresh(0, microTime(now)));
    this.observe(current, now);
    const held = current.record.holderIdentity;
    const mine = held === this.config.identity;
    if (held !== "" && !mine && !this.expired(current, now)) return false;
    const next = mine
      ? fresh(current.record.leaseTransitions, current.record.acquireTime ?? microTime(now))
      : fresh(current.record.leaseTransitions + 1, microTime(now));
    return this.client.update(next, current.resourceVersion);
  }

  /** Records when the lease record last changed, by our clock. */
  private observe(current: StoredLease, now: number): void {
    const json = JSON.stringify(current.record);
    if (this.observed?.json !== json) this.observed = { json, at: now };
  }

  private expired(current: StoredLease, now: number): boolean {
    const durationMs = (current.record.leaseDurationSeconds || 0) * 1000;
    return (this.observed?.at ?? now) + durationMs <= now;
  }

  private async release(): Promise<void> {
    try {
      const current = await this.client.get();
      if (current?.record.holderIdentity !== this.config.identity) return;
      const now = microTime(this.clock.now());
      await this.client.update(
        { ...current.record, holderIdentity: "", leaseDurationSeconds: 1, renewTime: now },
        current.resourceVersion,
      );
      this.log?.info({ lease: this.client.describe }, "leader lease released");
    } catch (err) {
      this.log?.warn({ lease: this.client.describe, error: err }, "failed to release leader lease");
    }
  }

  private withDeadline(p: Promise<boolean>, ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const t = this.clock.setTimer(() => resolve(false), ms);
      void p.then((v) => {
        this.clock.clearTimer(t);
        resolve(v);
      });
    });
  }

  private sleep(ms: number, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const t = this.clock.setTimer(resolve, ms);
      signal.addEventListener("abort", () => (this.clock.clearTimer(t), resolve()), { once: true });
    });
  }
}

function stripUndefined(config: LeaderElectionConfig): Partial<typeof LEADER_ELECTION_DEFAULTS> {
  const out: Partial<Record<keyof typeof LEADER_ELECTION_DEFAULTS, number>> = {};
  if (config.leaseDurationMs !== undefined) out.leaseDurationMs = config.leaseDurationMs;
  if (config.renewDeadlineMs !== undefined) out.renewDeadlineMs = config.renewDeadlineMs;
  if (config.retryPeriodMs !== undefined) out.retryPeriodMs = config.retryPeriodMs;
  return out;
}
