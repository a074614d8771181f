/**
 * Running health waits, by Kustomization, so that a newer artifact revision of their source can
 * cancel them (issue 6 item 6; Flux's `CancelHealthCheckOnNewRevision`): waiting out a timeout
 * for a revision that is already superseded only delays the fix. Drift of an applied object
 * cancels the wait too (issue 17): the reconcile is queued behind the wait, and the correction
 * would otherwise wait for the health-check timeout.
 */
import type { SourceKey } from "./ports.js";

interface Entry {
  readonly source: string;
  readonly revision: string;
  readonly abort: AbortController;
}

/** One registered wait: its signal and the call that unregisters it. */
export interface HealthWait {
  readonly signal: AbortSignal;
  done(): void;
}

const sourceId = (k: SourceKey): string => `${k.kind}/${k.namespace}/${k.name}`;

/** The registry of running waits. */
export class HealthWaits {
  private readonly waits = new Map<string, Entry>();
  private closed: Error | undefined;

  /**
   * Registers the wait of `key` on `revision` of `source`; the signal also follows `parent`. After
   * {@link close} the signal is aborted from the start.
   */
  start(key: string, source: SourceKey, revision: string, parent: AbortSignal): HealthWait {
    const abort = new AbortController();
    if (this.closed !== undefined) abort.abort(this.closed);
    const entry = { source: sourceId(source), revision, abort };
    this.waits.set(key, entry);
    return {
      signal: AbortSignal.any([parent, abort.signal]),
      done: () => {
        if (this.waits.get(key) === entry) this.waits.delete(key);
      },
    };
  }

  /** Cancels waits on `source` for a revision other than `revision`; returns their keys. */
  cancelForNewRevision(source: SourceKey, revision: string): string[] {
    const id = sourceId(source);
    const cancelled: string[] = [];
    for (const [key, entry] of this.waits) {
      if (entry.source !== id || entry.revision === revision) continue;
      entry.abort.abort(new Error(`a new revision is available`));
      cancelled.push(key);
    }
    return cancelled;
  }

  /** Cancels the running wait of `key`, if any, saying `why`; true when there was one. */
  cancel(key: string, why: string): boolean {
    const entry = this.waits.get(key);
    if (entry === undefined) return false;
    entry.abort.abort(new Error(why));
    return true;
  }

  /**
   * Cancels every running wait and every wait started from now on, saying `why` (the controller is
   * shutting down: a reconcile still applying when the drain began must not start a wait then).
   */
  close(why: string): void {
    this.closed = new Error(why);
    for (const entry of this.waits.values()) entry.abort.abort(this.closed);
  }

  /** Keys with a running wait (tests, metrics). */
  running(): string[] {
    return [...this.waits.keys()];
  }
}
