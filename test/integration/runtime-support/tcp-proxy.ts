/**
 * A TCP proxy in front of the API server whose connections a test can cut: `cut()` destroys every
 * open connection and refuses new ones until `restore()`. Lets the informer tests sever a real
 * watch the way a network failure would.
 */
import { createServer, connect, type Server, type Socket } from "node:net";
import type { AddressInfo } from "node:net";
import { KubeConfig } from "@kubernetes/client-node";

export interface CuttableProxy {
  readonly kubeConfig: KubeConfig;
  cut(): void;
  restore(): void;
  close(): Promise<void>;
  readonly connections: number;
  /** Connections accepted since the proxy started. */
  readonly accepted: number;
}

/** Starts a proxy for the current cluster of `kc`; returns a KubeConfig that goes through it. */
export async function startCuttableProxy(kc: KubeConfig): Promise<CuttableProxy> {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error("no cluster");
  const target = new URL(cluster.server);
  const sockets = new Set<Socket>();
  let down = false;
  let accepted = 0;
  const server: Server = createServer((client) => {
    if (down) return void client.destroy();
    accepted++;
    const upstream = connect(Number(target.port || 443), target.hostname);
    sockets.add(client);
    sockets.add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on("error", drop).on("close", drop);
    upstream.on("error", drop).on("close", drop);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  const proxied = new KubeConfig();
  proxied.loadFromOptions({
    clusters: [
      {
        ...cluster,
        server: `${target.protocol}//${target.hostname === "localhost" ? "localhost" : target.hostname}:${port}`,
      },
    ],
    users: kc.users,
    contexts: kc.contexts,
    currentContext: kc.currentContext,
  });
  // The proxy listens on 127.0.0.1; the API server certificate covers that address.
  if (target.hostname !== "127.0.0.1" && target.hostname !== "localhost") {
    throw new Error(`proxy supports loopback API servers only, got ${target.hostname}`);
  }
  return {
    kubeConfig: proxied,
    cut() {
      down = true;
      for (const s of sockets) s.destroy();
      sockets.clear();
    },
    restore() {
      down = false;
    },
    get connections() {
      return sockets.size / 2;
    },
    get accepted() {
      return accepted;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
