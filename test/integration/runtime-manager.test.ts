/**
 * The Manager as real processes against the real API server (issue 3 acceptance): two managers
 * with leader election (exactly one reconciles, the other takes over after the leader is killed,
 * no key reconciled by both at once), SIGTERM during a burst (exit 0, in-flight work finished or
 * aborted), and /metrics scraped while running.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import { LEADER_ELECTION_DEFAULTS } from "../../src/runtime/leader-election.js";
import {
  eventually,
  kubeconfigPath,
  randomSuffix,
  testKubeConfig,
  useTestNamespace,
} from "../support/kube.js";
import { createCm, patchCm } from "./runtime-support/configmaps.js";
import { intervals, overlaps, spawnManager, type ManagerChild } from "./runtime-support/spawn-manager.js";

const namespace = useTestNamespace("rt-manager");
const kc = testKubeConfig();
const children: ManagerChild[] = [];

afterEach(async () => {
  for (const c of children.splice(0)) {
    if (c.child.exitCode === null && c.child.signalCode === null) {
      c.child.kill("SIGKILL");
      await c.exited;
    }
  }
});

async function objects(count: number) {
  const group = `load-${randomSuffix()}`;
  await Promise.all(
    Array.from({ length: count }, (_, i) =>
      createCm(kc, namespace(), `${group}-${i}`, { labels: { rt: group } }),
    ),
  );
  return {
    group,
    selector: `rt=${group}`,
    keys: Array.from({ length: count }, (_, i) => `${namespace()}/${group}-${i}`),
  };
}

function start(config: Omit<Parameters<typeof spawnManager>[0], "kubeconfig" | "namespace">) {
  const c = spawnManager({ kubeconfig: kubeconfigPath(), namespace: namespace(), ...config });
  children.push(c);
  return c;
}

const starts = (c: ManagerChild) => c.lines.filter((l) => l.ev === "start");

describe("manager processes on the real API server", () => {
  it("two managers: exactly one reconciles, the other takes over after the leader is killed, never both on one key", async () => {
    const { selector, keys, group } = await objects(12);
    const leaseName = `rt-lease-${randomSuffix()}`;
    const a = start({ labelSelector: selector, workMs: 80, requeueAfterMs: 300, leaseName });
    const b = start({ labelSelector: selector, workMs: 80, requeueAfterMs: 300, leaseName });
    const both = () => [...a.lines, ...b.lines];
    const firstLeader = await eventually(
      "one manager to lead",
      async () => [a, b].find((c) => c.lines.some((l) => l.ev === "leading")),
      async () => ({ a: a.stderr().slice(-2000), b: b.stderr().slice(-2000) }),
    );
    const standby = firstLeader === a ? b : a;
    await eventually("the leader to reconcile every key", async () =>
      keys.every((k) => starts(firstLeader).some((l) => l.key === k)) ? true : undefined,
    );
    // Keep work flowing (generation-less kinds: a label change is an update the default handler passes).
    await Promise.all(
      keys.slice(0, 4).map((k, i) =>
        patchCm(kc, namespace(), k.split("/")[1]!, {
          metadata: { labels: { rt: group, touch: String(i) } },
        }),
      ),
    );
    // The point: while work flows for 1.5 s the standby reconciles nothing.
    await sleep(1500);
    expect(starts(standby)).toHaveLength(0);
    expect(standby.lines.some((l) => l.ev === "leading")).toBe(false);

    firstLeader.child.kill("SIGKILL");
    const killedAt = Date.now();
    await firstLeader.exited;
    const took = await eventually(
      "the standby to take over",
      async () => standby.lines.find((l) => l.ev === "leading"),
      async () => standby.stderr().slice(-2000),
      { timeoutMs: 60_000 },
    );
    await eventually("the new leader to reconcile every key", async () =>
      keys.every((k) => starts(standby).some((l) => l.key === k)) ? true : undefined,
    );
    // Takeover within the lease duration (plus one jittered retry period, the polling granularity).
    const { leaseDurationMs, retryPeriodMs } = LEADER_ELECTION_DEFAULTS;
    expect(took.t - killedAt).toBeLessThanOrEqual(leaseDurationMs + retryPeriodMs * 1.2 + 1000);
    expect(overlaps(intervals(both(), killedAt))).toEqual([]);
    expect(starts(standby).every((l) => l.t >= killedAt)).toBe(true);

    standby.child.kill("SIGTERM");
    expect(await standby.exited).toBe(0);
    // Only the killed leader has unfinished reconciles; they ended when it died.
    expect(overlaps(intervals(both(), killedAt))).toEqual([]);
    expect(intervals(standby.lines, Infinity).filter((i) => i.to === Infinity)).toEqual([]);
  });

  it.each([
    { name: "in-flight reconciles finish within the deadline", workMs: 600, graceMs: 20_000, aborted: false },
    {
      name: "in-flight reconciles past the deadline are aborted",
      workMs: 60_000,
      graceMs: 300,
      aborted: true,
    },
  ])("SIGTERM during a burst exits 0: $name", async ({ workMs, graceMs, aborted }) => {
    const { selector } = await objects(40);
    const m = start({ labelSelector: selector, workMs, gracefulShutdownTimeoutMs: graceMs });
    await eventually(
      "four reconciles in flight",
      async () => (starts(m).length >= 4 ? true : undefined),
      async () => m.stderr().slice(-2000),
    );
    m.child.kill("SIGTERM");
    const termAt = Date.now();
    expect(await m.exited).toBe(0);
    const ends = m.lines.filter((l) => l.ev === "end");
    const startedBeforeTerm = starts(m).filter((l) => l.t <= termAt);
    // Every reconcile that started has ended, and none started after the signal was handled.
    expect(intervals(m.lines, Infinity).filter((i) => i.to === Infinity)).toEqual([]);
    expect(ends.length).toBe(starts(m).length);
    expect(startedBeforeTerm.length).toBeGreaterThanOrEqual(4);
    const inFlightEnds = ends.filter((l) => l.t >= termAt);
    expect(inFlightEnds.length).toBeGreaterThan(0);
    expect(inFlightEnds.every((l) => l.aborted === aborted)).toBe(true);
    expect(m.lines.at(-1)?.ev).toBe("exit");
    expect(starts(m).length).toBeLessThan(40);
  });

  it("serves /metrics with the reconcile histogram and queue metrics, and /readyz", async () => {
    const { selector, group } = await objects(5);
    const m = start({ labelSelector: selector, workMs: 10, requeueAfterMs: 200, metrics: true });
    const ports = await eventually(
      "ports",
      async () => m.lines.find((l) => l.ev === "ports"),
      async () => m.stderr().slice(-2000),
    );
    await eventually("each object reconciled twice", async () => (starts(m).length >= 10 ? true : undefined));
    const text = await (await fetch(`http://127.0.0.1:${ports.metrics}/metrics`)).text();
    const count = (re: RegExp) => Number(re.exec(text)?.[1] ?? "NaN");
    expect(
      count(
        new RegExp(
          `gotk_reconcile_duration_seconds_count\\{kind="ConfigMap",name="${group}-0",namespace="${namespace()}"\\} (\\d+)`,
        ),
      ),
    ).toBeGreaterThanOrEqual(1);
    expect(text).toMatch(/gotk_reconcile_duration_seconds_bucket\{le="0\.01",kind="ConfigMap"/);
    expect(
      count(/workqueue_adds_total\{name="configmap",controller="configmap"\} (\d+)/),
    ).toBeGreaterThanOrEqual(10);
    expect(
      count(/workqueue_work_duration_seconds_count\{name="configmap",controller="configmap"\} (\d+)/),
    ).toBeGreaterThanOrEqual(10);
    expect(
      count(/workqueue_queue_duration_seconds_count\{name="configmap",controller="configmap"\} (\d+)/),
    ).toBeGreaterThanOrEqual(10);
    expect(text).toMatch(/workqueue_depth\{name="configmap",controller="configmap"\} \d+/);
    expect(text).toMatch(/workqueue_retries_total/);
    expect(text).toMatch(/workqueue_longest_running_processor_seconds/);
    expect((await fetch(`http://127.0.0.1:${ports.health}/readyz`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${ports.health}/healthz`)).status).toBe(200);
    m.child.kill("SIGTERM");
    expect(await m.exited).toBe(0);
  });
});
