/**
 * Rate limit for drift requeues (issue 6 item 9). mooring requeues a Kustomization within seconds
 * when someone changes or deletes an object it owns; if another controller keeps changing it back,
 * that would become a hot loop of applies. A token bucket per Kustomization lets a burst through,
 * then one requeue per interval; what is held back becomes a note (for the Ready message) and one
 * event per episode, so the fight is visible instead of silent or endless.
 */
import type { DriftEvent } from "../apply/cluster/types.js";
import { formatObjectRef } from "../util/kube-object.js";

/** Limiter settings. */
export interface DriftLimiterOptions {
  /** Requeues allowed at once. */
  readonly burst: number;
  /** One token is refilled per this period. */
  readonly refillMs: number;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
  /** Drift events held back in the current episode. */
  suppressed: number;
  lastObject: string;
  lastManager: string | undefined;
  /** Whether the episode's event was already emitted. */
  announced: boolean;
}

/** What to do with one drift event. */
export interface DriftDecision {
  /** Requeue the Kustomization now. */
  readonly requeue: boolean;
  /** Set once per episode when requeues start being held back: emit it as a Warning event. */
  readonly announce: string | undefined;
  /** When held back: requeue no later than this (ms from now), so the drift is still fixed. */
  readonly retryAfterMs: number | undefined;
}

/** Per-Kustomization drift requeue limiter; time is passed in so tests need no clock. */
export class DriftLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly options: DriftLimiterOptions) {}

  private bucket(key: string, now: number): Bucket {
    let b = this.buckets.get(key);
    if (b === undefined) {
      b = {
        tokens: this.options.burst,
        updatedAt: now,
        suppressed: 0,
        lastObject: "",
        lastManager: undefined,
        announced: false,
      };
      this.buckets.set(key, b);
    }
    const refill = Math.floor((now - b.updatedAt) / this.options.refillMs);
    if (refill > 0) {
      b.tokens = Math.min(this.options.burst, b.tokens + refill);
      b.updatedAt += refill * this.options.refillMs;
    }
    if (b.tokens === this.options.burst) {
      b.suppressed = 0;
      b.announced = false;
    }
    return b;
  }

  /** Decides about one drift event of Kustomization `key` at time `now` (ms). */
  admit(key: string, event: DriftEvent, now: number): DriftDecision {
    const b = this.bucket(key, now);
    b.lastObject = formatObjectRef(event.object);
    b.lastManager = event.manager;
    if (b.tokens > 0) {
      b.tokens--;
      return { requeue: true, announce: undefined, retryAfterMs: undefined };
    }
    b.suppressed++;
    const announce = b.announced ? undefined : this.describe(b);
    b.announced = true;
    const retryAfterMs = this.options.refillMs - (now - b.updatedAt);
    return { requeue: false, announce, retryAfterMs: Math.max(0, retryAfterMs) };
  }

  /** The note for the Ready message while requeues are being held back, else undefined. */
  note(key: string): string | undefined {
    const b = this.buckets.get(key);
    return b !== undefined && b.suppressed > 0 ? this.describe(b) : undefined;
  }

  /** Drops the state of a deleted Kustomization. */
  forget(key: string): void {
    this.buckets.delete(key);
  }

  private describe(b: Bucket): string {
    const by = b.lastManager === undefined ? "" : ` by '${b.lastManager}'`;
    return (
      `${b.lastObject} keeps being changed${by} after it is corrected; drift requeues are rate limited ` +
      `to one per ${Math.round(this.options.refillMs / 1000)}s: another controller may be managing the same object`
    );
  }
}
