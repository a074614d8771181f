/**
 * The one way the controller's HTTP servers (probes and metrics, artifacts, receiver webhooks)
 * take a listen address, bind it and close.
 */
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";

/** A listening HTTP server. */
export interface ListeningServer {
  readonly server: Server;
  /** The bound port (useful with port 0). */
  readonly port: number;
  /** Stops accepting and drops kept-alive connections. */
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

/** Binds `server` to `addr` (e.g. `:9440`, `127.0.0.1:0`); `onClose` runs first when it closes. */
export async function listen(server: Server, addr: string, onClose?: () => void): Promise<ListeningServer> {
  const { host, port } = parseListenAddress(addr);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  return {
    server,
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        onClose?.();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
