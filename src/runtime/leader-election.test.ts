import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { eventually } from "../../test/support/eventually.js";
import type { LeaseClient, LeaseRecord, StoredLease } from "./lease-client.js";
import { LeaderElector } from "./leader-election.js";
import { createLogger } from "./logging.js";

/** One in-memory Lease with optimistic concurrency; `down` makes every call fail. */
class MemoryLease {
  lease: StoredLease | undefined;
  rv = 0;
  down = new Set<string>();
  client(id: string): LeaseClient {
    const check = () => {
      if (this.down.has(id)) throw new Error("api unreachable");
    };
    return {
      describe: "test/lease",
      get: async () => (check(), this.lease),
      create: async (record: LeaseRecord) => {
        check();
        if (this.lease) return false;
        this.lease = { record, resourceVersion: String(++this.rv) };
        return true;
      },
      update: async (record: LeaseRecord, rv: string) => {
        check();
        if (this.lease?.resourceVersion !== rv) return false;
        this.lease = { record, resourceVersion: String(++this.rv) };
        return true;
      },
    };
  }
}

const timing = { leaseDurationMs: 300, renewDeadlineMs: 200, retryPeriodMs: 40 };

function candidate(mem: MemoryLease, id: string) {
  const elector = new LeaderElector(mem.client(id), { identity: id, ...timing });
  const state = { leading: false, starts: 0, stops: 0, signal: undefined as AbortSignal | undefined };
  const stop = new AbortController();
  const done = elector.run(
    {
      onStartedLeading: (s) => ((state.leading = true), state.starts++, (state.signal = s)),
      onStoppedLeading: () => ((state.leading = false), void state.stops++),
    },
    stop.signal,
  );
  return { elector, state, stop, done };
}

const until = (cond: () => boolean, what: string): Promise<true> =>
  eventually(what, async () => (cond() ? true : undefined), undefined, { intervalMs: 5, timeoutMs: 5000 });

describe("LeaderElector", () => {
  it("elects exactly one leader and hands over on release", async () => {
    const mem = new MemoryLease();
    const a = candidate(mem, "a");
    const b = candidate(mem, "b");
    await until(() => a.state.leading || b.state.leading, "a leader");
    await sleep(150); // the point: both keep contending for a while and still only one leads
    expect([a.state.leading, b.state.leading].filter(Boolean)).toHaveLength(1);
    const [leader, other] = a.state.leading ? [a, b] : [b, a];
    leader.stop.abort();
    expect(await leader.done).toBe("cancelled");
    expect(leader.state.signal?.aborted).toBe(true);
    expect(mem.lease?.record.holderIdentity === "" || other.state.leading).toBe(true);
    await until(() => other.state.leading, "takeover");
    expect(mem.lease?.record.leaseTransitions).toBe(1);
    other.stop.abort();
    await other.done;
  });

  it("a leader that cannot renew stops leading before its lease expires for others", async () => {
    const mem = new MemoryLease();
    const a = candidate(mem, "a");
    await until(() => a.state.leading, "a leads");
    const b = candidate(mem, "b");
    await sleep(60); // the point: b has been trying for a few retry periods while a renews
    mem.down.add("a"); // a is cut off from the API server
    const cutAt = Date.now();
    let aStoppedAt = 0;
    void a.done.then(() => (aStoppedAt = Date.now()));
    await until(() => b.state.leading, "b takes over");
    const bStartedAt = Date.now();
    expect(await a.done).toBe("lost");
    expect(a.state.signal?.aborted).toBe(true);
    expect(aStoppedAt).toBeGreaterThan(0);
    expect(aStoppedAt).toBeLessThanOrEqual(bStartedAt); // never two leaders at once
    expect(bStartedAt).toBeGreaterThan(cutAt);
    b.stop.abort();
    await b.done;
  });

  it("does not take a lease another holder keeps renewing", async () => {
    const mem = new MemoryLease();
    const a = candidate(mem, "a");
    await until(() => a.state.leading, "a leads");
    const b = candidate(mem, "b");
    await sleep(700); // more than two lease durations
    expect(b.state.leading).toBe(false);
    expect(a.state.leading).toBe(true);
    a.stop.abort();
    b.stop.abort();
    await Promise.all([a.done, b.done]);
  });

  it("rejects a renew deadline not shorter than the lease", () => {
    const mem = new MemoryLease();
    expect(
      () => new LeaderElector(mem.client("x"), { identity: "x", leaseDurationMs: 10, renewDeadlineMs: 10 }),
    ).toThrow();
  });
});

describe("LeaderElector logging (issue 14)", () => {
  it("logs the winning replica readably through the production logger", async () => {
    const lines: string[] = [];
    const log = createLogger({ encoding: "json", destination: { write: (s: string) => void lines.push(s) } });
    const mem = new MemoryLease();
    const elector = new LeaderElector(mem.client("pod-a_42"), { identity: "pod-a_42", ...timing }, log);
    const stop = new AbortController();
    let leading = false;
    const done = elector.run(
      { onStartedLeading: () => void (leading = true), onStoppedLeading: () => undefined },
      stop.signal,
    );
    await until(() => leading, "leading");
    stop.abort();
    await done;
    const won = lines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.msg === "leader election won");
    expect(won?.holderIdentity).toBe("pod-a_42");
    expect(lines.join("")).not.toContain("*****");
  });
});
