/**
 * A plain-HTTP proxy in front of the real API server that can hold requests back: each request is
 * sent on over TLS with the test kubeconfig's admin credentials, except those a gate matches, which
 * wait until the gate opens. A controller pointed at `kubeconfigPath` then sees a real API server
 * whose LIST of one resource is slow, which is how a cache that has not synced looks from inside.
 */
import { writeFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { request as httpsRequest, type RequestOptions } from "node:https";
import type { AddressInfo, Socket } from "node:net";
import { join } from "node:path";
import type { KubeConfig } from "@kubernetes/client-node";

/** Which requests a gate holds. */
export type RequestMatch = (method: string, url: URL) => boolean;

/** Holds the requests it matches until opened. */
export interface Gate {
  /** Requests held so far (released ones included). */
  readonly held: number;
  open(): void;
}

export interface GatedApiProxy {
  /** A kubeconfig (no credentials: the proxy adds them) for `http://127.0.0.1:<port>`. */
  readonly kubeconfigPath: string;
  /** Every request line seen, in order, as `METHOD path?query`. */
  readonly seen: readonly string[];
  /** A closed gate for requests matching `match`. */
  gate(match: RequestMatch): Gate;
  close(): Promise<void>;
}

/** The initial LIST (not a WATCH) of a resource, by its plural, in any namespace. */
export const listOf =
  (plural: string): RequestMatch =>
  (method, url) =>
    method === "GET" && url.pathname.endsWith(`/${plural}`) && !url.searchParams.has("watch");

interface GateState {
  readonly match: RequestMatch;
  opened: boolean;
  held: number;
  readonly waiters: (() => void)[];
}

/** How the proxy answers. */
export interface GatedApiProxyOptions {
  /**
   * Drop the `X-Kubernetes-PF-*` response headers, so the server looks like one without API
   * Priority and Fairness (where a controller's client-side rate limit applies).
   */
  readonly hidePriorityAndFairness?: boolean;
}

const withoutPriorityAndFairness = (headers: IncomingMessage["headers"]): IncomingMessage["headers"] =>
  Object.fromEntries(
    Object.entries(headers).filter(([k]) => !k.toLowerCase().startsWith("x-kubernetes-pf-")),
  );

/** Starts the proxy for the current cluster of `kc`; writes its kubeconfig into `dir`. */
export async function startGatedApiProxy(
  kc: KubeConfig,
  dir: string,
  proxyOptions: GatedApiProxyOptions = {},
): Promise<GatedApiProxy> {
  const target = new URL(kc.getCurrentCluster()?.server ?? "");
  const gates: GateState[] = [];
  const seen: string[] = [];
  const sockets = new Set<Socket>();

  const forward = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? "/", "http://proxy");
    seen.push(`${req.method} ${url.pathname}${url.search}`);
    for (const g of gates.filter((s) => s.match(req.method ?? "", url))) {
      g.held++;
      if (!g.opened) await new Promise<void>((resolve) => g.waiters.push(resolve));
    }
    const options: RequestOptions = {
      hostname: target.hostname,
      port: target.port,
      method: req.method,
      path: req.url,
      headers: { ...req.headers, host: target.host },
    };
    await kc.applyToHTTPSOptions(options);
    const upstream = httpsRequest(options, (answer) => {
      const headers = proxyOptions.hidePriorityAndFairness
        ? withoutPriorityAndFairness(answer.headers)
        : answer.headers;
      res.writeHead(answer.statusCode ?? 502, headers);
      answer.pipe(res);
    });
    upstream.on("error", () => res.destroy());
    res.on("close", () => upstream.destroy());
    req.pipe(upstream);
  };

  const server: Server = createServer((req, res) => {
    forward(req, res).catch(() => res.destroy());
  });
  server.on("connection", (s: Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  const kubeconfigPath = join(dir, "gated-kubeconfig.yaml");
  await writeFile(
    kubeconfigPath,
    [
      "apiVersion: v1",
      "kind: Config",
      "clusters:",
      "- name: gated",
      "  cluster:",
      `    server: http://127.0.0.1:${port}`,
      // Plain HTTP on loopback: client-node accepts an http:// server only with this set.
      "    insecure-skip-tls-verify: true",
      "users:",
      "- name: gated",
      "  user: {}",
      "contexts:",
      "- name: gated",
      "  context: {cluster: gated, user: gated}",
      "current-context: gated",
      "",
    ].join("\n"),
  );
  return {
    kubeconfigPath,
    seen,
    gate(match) {
      const state: GateState = { match, opened: false, held: 0, waiters: [] };
      gates.push(state);
      return {
        get held() {
          return state.held;
        },
        open() {
          state.opened = true;
          state.waiters.splice(0).forEach((w) => w());
        },
      };
    },
    async close() {
      gates.forEach((g) => {
        g.opened = true;
        g.waiters.splice(0).forEach((w) => w());
      });
      sockets.forEach((s) => s.destroy());
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
