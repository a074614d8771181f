/**
 * Issue 15, item 3, on the real control plane: `mooring controller` started in-process from the
 * command line Flux's install overlays use. `--watch-all-namespaces=false` reconciles only
 * $RUNTIME_NAMESPACE, and `--events-addr` POSTs each event as Flux's event JSON to a local HTTP
 * endpoint.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { parseControllerArgs } from "../../src/cli/commands/controller.js";
import { startController } from "../../src/main.js";
import type { NotificationEvent } from "../../src/runtime/event-forwarder.js";
import { createLogger } from "../../src/runtime/logging.js";
import {
  eventually,
  kubeconfigPath,
  kubectl,
  randomSuffix,
  readObject,
  useTestNamespace,
  waitForCondition,
} from "../support/kube.js";

const watched = useTestNamespace("flags-watched");
const other = useTestNamespace("flags-other");
const shard = `flags-${randomSuffix()}`;
const GR = { apiVersion: "source.toolkit.fluxcd.io/v1", kind: "GitRepository" };
const received: NotificationEvent[] = [];
const stop = new AbortController();
let done: Promise<void> | undefined;
let receiver: Server;
let storage = "";

async function apply(obj: object): Promise<void> {
  const res = await kubectl(["apply", "-f", "-"], stringify(obj));
  if (res.code !== 0) throw new Error(res.stderr);
}

/** A GitRepository that stalls at once (its URL cannot be parsed), so it raises one event. */
const badRepo = (namespace: string): object => ({
  ...GR,
  metadata: { name: "bad-url", namespace, labels: { "sharding.fluxcd.io/key": shard } },
  spec: { url: "https://bad host/repo.git", interval: "1h" },
});

beforeAll(async () => {
  receiver = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      if (req.method === "POST" && req.headers["content-type"] === "application/json") {
        received.push(JSON.parse(body) as NotificationEvent);
      }
      res.writeHead(202).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  const port = (receiver.address() as AddressInfo).port;
  storage = await mkdtemp(join(tmpdir(), "flags-storage-"));
  const config = parseControllerArgs(
    [
      `--events-addr=http://127.0.0.1:${port}/`,
      "--watch-all-namespaces=false",
      "--log-level=info",
      "--log-encoding=json",
      "--feature-gates=StrictPostBuildSubstitutions=true,CacheSecretsAndConfigMaps=true",
      "--no-remote-bases=true",
      "--no-cross-namespace-refs=true",
      `--kubeconfig=${kubeconfigPath()}`,
      `--storage-path=${storage}`,
      "--storage-addr=127.0.0.1:0",
      "--metrics-addr=127.0.0.1:0",
      "--health-addr=127.0.0.1:0",
      "--receiver-addr=127.0.0.1:0",
      `--watch-label-selector=sharding.fluxcd.io/key=${shard}`,
    ],
    { RUNTIME_NAMESPACE: watched() },
  );
  const running = await startController(
    config,
    { inCluster: false, isTTY: false, instance: "flags-test" },
    stop.signal,
    createLogger({ level: "error", encoding: "json" }),
  );
  done = running.done;
}, 60_000);

afterAll(async () => {
  stop.abort();
  await done?.catch(() => undefined);
  await new Promise((resolve) => receiver?.close(resolve));
  await rm(storage, { recursive: true, force: true });
});

describe("controller flags (issue 15)", () => {
  it("--watch-all-namespaces=false reconciles only $RUNTIME_NAMESPACE; --events-addr forwards Flux's event JSON", async () => {
    await apply(badRepo(other()));
    await apply(badRepo(watched()));
    await waitForCondition({ ...GR, name: "bad-url", namespace: watched() }, "Stalled", "True", {
      timeoutMs: 60_000,
    });
    const event = await eventually(
      "the stall event reached the endpoint",
      async () => received.find((e) => e.involvedObject.namespace === watched() && e.reason === "URLInvalid"),
      async () => received,
    );
    expect(event).toMatchObject({
      involvedObject: { kind: "GitRepository", name: "bad-url", namespace: watched() },
      severity: "error",
      reportingController: "source-controller",
      reportingInstance: "flags-test",
    });
    expect(event.message).toContain("cannot be parsed");
    expect(event.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    // Applied before the watched one, yet never reconciled: its namespace is not watched.
    const ignored = (await readObject({ ...GR, name: "bad-url", namespace: other() })) as {
      metadata: { finalizers?: string[] };
      status?: { conditions?: unknown[] };
    };
    expect(ignored.metadata.finalizers).toBeUndefined();
    expect(ignored.status?.conditions).toBeUndefined();
    expect(received.some((e) => e.involvedObject.namespace === other())).toBe(false);
  }, 120_000);
});
