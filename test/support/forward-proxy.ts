/**
 * A small authenticating forward proxy on 127.0.0.1 for `proxySecretRef` tests: absolute-form
 * requests are forwarded, CONNECT opens a tunnel, and every request is recorded (`GET http://…`,
 * `CONNECT host:port`), those without the expected Proxy-Authorization in `refused`.
 */
import { createServer, request as httpRequest, type IncomingMessage, type Server } from "node:http";
import { connect, type AddressInfo } from "node:net";

/** A running proxy. */
export interface ForwardProxy {
  readonly url: string;
  readonly seen: string[];
  readonly refused: string[];
  stop(): Promise<void>;
}

/** Starts a proxy requiring Basic `user:password`. */
export async function startForwardProxy(user: string, password: string): Promise<ForwardProxy> {
  const seen: string[] = [];
  const refused: string[] = [];
  const expected = `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
  const authorized = (req: IncomingMessage): boolean => req.headers["proxy-authorization"] === expected;
  const server: Server = createServer((req, res) => {
    if (!authorized(req)) {
      refused.push(`${req.method ?? ""} ${req.url ?? ""}`);
      res.writeHead(407, { "proxy-authenticate": 'Basic realm="test"' }).end();
      return;
    }
    seen.push(`${req.method ?? ""} ${req.url ?? ""}`);
    const headers = { ...req.headers };
    delete headers["proxy-authorization"];
    const upstream = httpRequest(req.url ?? "", { method: req.method, headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on("error", () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  server.on("connect", (req: IncomingMessage, socket, head: Buffer) => {
    if (!authorized(req)) {
      refused.push(`CONNECT ${req.url ?? ""}`);
      socket.end("HTTP/1.1 407 Proxy Authentication Required\r\n\r\n");
      return;
    }
    seen.push(`CONNECT ${req.url ?? ""}`);
    const [host, port] = (req.url ?? "").split(":");
    const upstream = connect(Number(port), host ?? "127.0.0.1", () => {
      socket.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    upstream.on("error", () => socket.destroy());
    socket.on("error", () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    refused,
    stop: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}
