/**
 * Stand-ins for public hosts (github.com, quay.io, Docker Hub …) in tests that run without a
 * network: while installed, every connection that code in this process opens through undici's
 * global dispatcher to one of the named hosts reaches a local test server instead, as a plain
 * TCP connection (the local server speaks plain HTTP, so the stand-in replaces DNS and TLS both).
 * Other hosts are connected as usual. The controller's Git and OCI clients use the global
 * dispatcher whenever a source has no TLS material and no proxy (src/source/http-dispatcher.ts).
 */
import { connect, type Socket } from "node:net";
import { Agent, buildConnector, type Dispatcher, getGlobalDispatcher, setGlobalDispatcher } from "undici";

/** Host name → local TCP port of the server standing in for it. */
export type HostRoutes = Readonly<Record<string, number>>;

/** What reached the stand-ins: `host` per connection, in order. */
export interface StandInHosts {
  readonly connections: () => readonly string[];
  /** Restores the previous global dispatcher. */
  restore(): Promise<void>;
}

function localSocket(port: number, callback: buildConnector.Callback): Socket {
  const socket = connect({ host: "127.0.0.1", port });
  socket.once("connect", () => callback(null, socket));
  socket.once("error", (err) => callback(err, null));
  return socket;
}

/** Installs the routes as undici's global dispatcher until `restore()`. */
export function installStandInHosts(routes: HostRoutes): StandInHosts {
  const previous: Dispatcher = getGlobalDispatcher();
  const direct = buildConnector({});
  const seen: string[] = [];
  const agent = new Agent({
    connect: (opts, callback) => {
      const port = routes[opts.hostname];
      if (port === undefined) return direct(opts, callback);
      seen.push(opts.hostname);
      return localSocket(port, callback);
    },
  });
  setGlobalDispatcher(agent);
  return {
    connections: () => [...seen],
    restore: async () => {
      setGlobalDispatcher(previous);
      await agent.close();
    },
  };
}
