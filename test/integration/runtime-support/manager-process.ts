/**
 * A mooring-runtime process for the manager integration tests: a Manager with one controller over
 * labelled ConfigMaps whose reconciler only sleeps (abortably). It reports on stdout, one JSON line
 * each: `ports`, `leading`, reconcile `start`/`end` (with pid, key and time) and `exit`.
 * Configured by the JSON in RT_MANAGER_CONFIG (test support may read the environment).
 */
import { hostname } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { KubeConfig } from "@kubernetes/client-node";
import { apiListWatcher } from "../../../src/runtime/informer/api-list-watcher.js";
import { Informer } from "../../../src/runtime/informer/informer.js";
import { apiLeaseClient } from "../../../src/runtime/lease-client.js";
import { LeaderElector } from "../../../src/runtime/leader-election.js";
import { createLogger } from "../../../src/runtime/logging.js";
import { LeadershipLostError, Manager, shutdownSignal } from "../../../src/runtime/manager.js";
import { createMetricsRegistry } from "../../../src/runtime/metrics.js";
import { Results, formatKey } from "../../../src/runtime/reconciler.js";
import { Semaphore } from "../../../src/runtime/semaphore.js";
import type { ConfigMap } from "./configmaps.js";

export interface ManagerProcessConfig {
  kubeconfig: string;
  namespace: string;
  labelSelector: string;
  workMs: number;
  requeueAfterMs?: number;
  leaseName?: string;
  gracefulShutdownTimeoutMs?: number;
  metrics?: boolean;
}

const config = JSON.parse(process.env["RT_MANAGER_CONFIG"] ?? "{}") as ManagerProcessConfig;
const say = (ev: string, fields: Record<string, unknown> = {}): void => {
  process.stdout.write(JSON.stringify({ ev, pid: process.pid, t: Date.now(), ...fields }) + "\n");
};

const kc = new KubeConfig();
kc.loadFromFile(config.kubeconfig);
const log = createLogger({ encoding: "json", level: "info", destination: process.stderr });
const registry = createMetricsRegistry();
const limiter = new Semaphore(8);
const identity = `${hostname()}_${process.pid}`;
const manager = new Manager({
  log,
  registry,
  gracefulShutdownTimeoutMs: config.gracefulShutdownTimeoutMs ?? 30_000,
  ...(config.metrics ? { metricsAddr: "127.0.0.1:0", healthAddr: "127.0.0.1:0" } : {}),
  ...(config.leaseName
    ? {
        leaderElector: new LeaderElector(
          apiLeaseClient(kc, { namespace: config.namespace, name: config.leaseName }, limiter),
          { identity },
          log,
        ),
      }
    : {}),
});
const controller = manager.addController({
  name: "configmap",
  kind: "ConfigMap",
  concurrency: 4,
  reconciler: {
    async reconcile(key, ctx) {
      const k = formatKey(key);
      say("start", { key: k });
      const aborted = await sleep(config.workMs, false, { signal: ctx.signal }).catch(() => true);
      say("end", { key: k, aborted });
      return config.requeueAfterMs ? Results.after(config.requeueAfterMs) : Results.done();
    },
  },
});
controller.watch(
  new Informer<ConfigMap>({
    name: "configmaps",
    source: apiListWatcher(kc, {
      resource: { apiVersion: "v1", plural: "configmaps", namespace: config.namespace },
      labelSelector: config.labelSelector,
      limiter,
    }),
    log,
  }),
);

const signal = shutdownSignal();
let leading = false;
const watcher = setInterval(() => {
  if (manager.isLeading() && !leading) say("leading", { identity });
  leading = manager.isLeading();
  const { metrics, health } = manager.ports;
  if (metrics !== undefined && !reportedPorts) {
    reportedPorts = true;
    say("ports", { metrics, health });
  }
}, 20);
let reportedPorts = false;

manager.start(signal).then(
  () => {
    clearInterval(watcher);
    say("exit", { code: 0 });
    process.exit(0);
  },
  (err: unknown) => {
    clearInterval(watcher);
    say("exit", { code: 1, error: err instanceof LeadershipLostError ? "leadership lost" : String(err) });
    process.exit(1);
  },
);
