/**
 * The probe and metrics endpoints: `/healthz` (liveness), `/readyz` (readiness: informers synced,
 * and whatever else the manager adds) and `/metrics` (Prometheus text from the registry). Flux
 * serves health on `--health-addr` (:9440) and metrics on `--metrics-addr` (:8080); one server type
 * serves either or both.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Registry } from "prom-client";

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
    const text = await options.registry.metrics();
    res.writeHead(200, { "content-type": options.registry.contentType }).end(text);
    return;
  }
  res.writeHead(404).end("not found\n");
}

/** A listening probe server. */
export interface ProbeServer {
  readonly server: Server;
  /** The bound port (useful with port 0). */
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Parses `host:port` / `:port` (Go listen-address style) into parts; an empty host means all
 * interfaces.
 */
export function parseListenAddress(addr: string): { host: string | undefined; port: number } {
  const i = addr.lastIndexOf(":");
  const host = i <= 0 ? undefined : addr.slice(0, i).replace(/^\[|\]$/g, "");
  const port = Number(addr.slice(i + 1));
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`invalid listen address "${addr}"`);
  return { host, port };
}

/** Starts a probe server on `addr` (e.g. `:9440`, `127.0.0.1:0`). */
export async function startProbeServer(addr: string, options: ProbeServerOptions): Promise<ProbeServer> {
  const { host, port } = parseListenAddress(addr);
  const server = createServer((req, res) => {
    handle(options, req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  return {
    server,
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
