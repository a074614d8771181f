/**
 * A loopback TCP proxy whose connections a test can cut (an outage of whatever is behind it): `cut()`
 * destroys every open connection and refuses new ones until `restore()`.
 */
import { connect, createServer, type AddressInfo, type Socket } from "node:net";

/** A running proxy. */
export interface TcpProxy {
  /** `127.0.0.1:<port>` to connect to instead of the target. */
  readonly address: string;
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

/** Proxies `127.0.0.1:<free port>` to `target` (`host:port`). */
export async function startTcpProxy(target: string): Promise<TcpProxy> {
  const [host, port] = [
    target.slice(0, target.lastIndexOf(":")),
    Number(target.slice(target.lastIndexOf(":") + 1)),
  ];
  const sockets = new Set<Socket>();
  let down = false;
  const server = createServer((client) => {
    if (down) return void client.destroy();
    const upstream = connect(port, host);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
      s.on("error", () => undefined);
    }
    client.pipe(upstream).pipe(client);
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    address: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    cut: () => {
      down = true;
      for (const s of sockets) s.destroy();
    },
    restore: () => {
      down = false;
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
