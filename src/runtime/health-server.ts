/**
 * The probe and metrics endpoints: `/healthz` (liveness), `/readyz` (readiness: informers synced,
 * and whatever else the manager adds) and `/metrics` (Prometheus text from the registry). Flux
 * serves health on `--health-addr` (:9440) and metrics on `--metrics-addr` (:8080); one server type
 * serves either or both.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { Registry } from "prom-client";
import { listen, type ListeningServer } from "./listen.js";
import { metricsChunks } from "./text-histogram.js";

/** A named check; false or a throw means failing. */
export type Check = () => boolean | Promise<boolean>;

/** What a server serves. */
export interface ProbeServerOptions {
  readonly healthChecks?: Readonly<Record<string, Check>>;
  readonly readyChecks?: Readonly<Record<string, Check>>;
  /** Served on /metrics when given. */
  readonly registry?: Registry;
}

async function runChecks(checks: Readonly<Record<string, Check>>): Promise<{ ok: boolean; body: string }> {
  const lines: string[] = [];
  let ok = true;
  for (const [name, check] of Object.entries(checks)) {
    const passed = await Promise.resolve()
      .then(check)
      .catch(() => false);
    ok &&= passed;
    lines.push(`[${passed ? "+" : "-"}]${name} ${passed ? "ok" : "failed"}`);
  }
  lines.push(ok ? "ok" : "check failed");
  return { ok, body: lines.join("\n") + "\n" };
}

async function handle(options: ProbeServerOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = (req.url ?? "/").split("?")[0];
  const checks =
    path === "/healthz" ? options.healthChecks : path === "/readyz" ? options.readyChecks : undefined;
  if (checks !== undefined) {
    const { ok, body } = await runChecks(checks);
    res.writeHead(ok ? 200 : 500, { "content-type": "text/plain; charset=utf-8" }).end(body);
    return;
  }
  if (path === "/metrics" && options.registry !== undefined) {
    await writeMetrics(options.registry, res);
    return;
  }
  res.writeHead(404).end("not found\n");
}

/**
 * Writes the metrics piece by piece, waiting for the client to take each one: at 10,000 Flux
 * objects the answer is about 17 MB, which would otherwise sit in memory whole at every scrape.
 */
async function writeMetrics(registry: Registry, res: ServerResponse): Promise<void> {
  res.writeHead(200, { "content-type": registry.contentType });
  for await (const chunk of metricsChunks(registry)) {
    if (res.destroyed) return;
    if (!res.write(chunk)) await new Promise((r) => (res.once("drain", r), res.once("close", r)));
  }
  res.end();
}

/** Starts a probe server on `addr` (e.g. `:9440`, `127.0.0.1:0`). */
export function startProbeServer(addr: string, options: ProbeServerOptions): Promise<ListeningServer> {
  const server = createServer((req, res) => {
    handle(options, req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  return listen(server, addr);
}
