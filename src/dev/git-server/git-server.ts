/**
 * A real git smart-HTTP server for tests, benchmarks and the quick-start demo.
 *
 * `git http-backend` does the protocol work; this module adds what tests need around it: a
 * loopback listener on a random port, per-server basic or bearer protection, a request log that
 * tells ref discovery from pack transfers, and a temp directory that `stop()` removes.
 */
import { timingSafeEqual } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runHttpBackend } from "./cgi.js";
import { createRepo, type GitRepo } from "./repo.js";

/** Credentials a server demands; at most one kind per server. */
export type GitServerAuth =
  | { readonly basic: { readonly username: string; readonly password: string } }
  | { readonly bearerToken: string };

/** Options for {@link startGitServer}. */
export interface GitServerOptions {
  readonly auth?: GitServerAuth;
  /** Wait this long before answering each request (to test client timeouts). */
  readonly latencyMs?: number;
  /** Serve HTTPS with this PEM key and certificate (to test custom CAs). */
  readonly tls?: { readonly key: string; readonly cert: string };
  /** Listen address; loopback and a random port unless given (the kind e2e serves in a pod). */
  readonly host?: string;
  readonly port?: number;
}

/** One HTTP request the server answered. */
export interface GitRequestRecord {
  readonly method: string;
  /** Path without the query, e.g. `/app.git/info/refs`. */
  readonly path: string;
  /** `git-upload-pack`, `git-receive-pack`, or undefined for other paths. */
  readonly service: string | undefined;
  /** `info-refs` for the discovery GET, `rpc` for the service POST, `other` otherwise. */
  readonly kind: "info-refs" | "rpc" | "other";
  /** The `Git-Protocol` header, e.g. `version=2`. */
  readonly protocol: string | undefined;
  readonly status: number;
  /** True when the response carried a packfile. */
  readonly packSent: boolean;
  readonly bytesSent: number;
}

/** A running test git server. */
export interface GitServer {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  /** Temp dir holding the bare repos and work clones. */
  readonly root: string;
  /** Every request answered so far, oldest first. */
  readonly requests: readonly GitRequestRecord[];
  /** Creates an empty bare repository served at `<url>/<name>.git`. */
  createRepo(name: string, opts?: { defaultBranch?: string }): Promise<GitRepo>;
  /** Requests that transferred a pack (real fetches). */
  packRequests(): GitRequestRecord[];
  /** Forgets the request log (e.g. after a first reconcile). */
  clearRequests(): void;
  /**
   * Resolves once every request received so far is answered and logged (a client can have read a
   * whole response before the server logs it).
   */
  settled(): Promise<void>;
  /**
   * Whether `git http-backend` sees the `Git-Protocol` header (true at start). False makes the
   * server answer as one that speaks only v0/v1, as older servers do.
   */
  setProtocolV2(on: boolean): void;
  /** Closes the listener and removes the temp dir. */
  stop(): Promise<void>;
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Returns the authenticated user name, or undefined when the request must be refused. */
function authenticate(req: IncomingMessage, auth: GitServerAuth | undefined): string | undefined {
  if (auth === undefined) return "";
  const header = req.headers.authorization ?? "";
  if ("bearerToken" in auth) {
    return header.startsWith("Bearer ") && safeEqual(header.slice(7), auth.bearerToken) ? "token" : undefined;
  }
  if (!header.startsWith("Basic ")) return undefined;
  const decoded = Buffer.from(header.slice(6), "base64").toString("utf8");
  const expected = `${auth.basic.username}:${auth.basic.password}`;
  return safeEqual(decoded, expected) ? auth.basic.username : undefined;
}

function classify(path: string, query: URLSearchParams): Pick<GitRequestRecord, "service" | "kind"> {
  if (path.endsWith("/info/refs")) return { service: query.get("service") ?? undefined, kind: "info-refs" };
  const match = /\/(git-upload-pack|git-receive-pack)$/.exec(path);
  if (match) return { service: match[1], kind: "rpc" };
  return { service: undefined, kind: "other" };
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  ctx: { root: string; auth: GitServerAuth | undefined; log: GitRequestRecord[]; v2: boolean },
): Promise<void> {
  const parsed = new URL(req.url ?? "/", "http://localhost");
  const base = {
    method: req.method ?? "GET",
    path: parsed.pathname,
    protocol: typeof req.headers["git-protocol"] === "string" ? req.headers["git-protocol"] : undefined,
    ...classify(parsed.pathname, parsed.searchParams),
  };
  const user = authenticate(req, ctx.auth);
  if (user === undefined) {
    const scheme = ctx.auth !== undefined && "bearerToken" in ctx.auth ? "Bearer" : 'Basic realm="git"';
    res
      .writeHead(401, { "WWW-Authenticate": scheme, "Content-Type": "text/plain" })
      .end("authentication required\n");
    req.resume();
    ctx.log.push({ ...base, status: 401, packSent: false, bytesSent: 0 });
    return;
  }
  if (!ctx.v2) delete req.headers["git-protocol"];
  const outcome = await runHttpBackend(req, res, {
    projectRoot: join(ctx.root, "repos"),
    pathInfo: decodeURIComponent(parsed.pathname),
    query: parsed.search.slice(1),
    remoteUser: user,
  });
  ctx.log.push({ ...base, ...outcome });
}

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
  });
}

/** Starts a git server on 127.0.0.1 with a random port and an empty temp root. */
export async function startGitServer(opts: GitServerOptions = {}): Promise<GitServer> {
  const root = await mkdtemp(join(tmpdir(), "mooring-git-"));
  const log: GitRequestRecord[] = [];
  const ctx = { root, auth: opts.auth, log, v2: true };
  const inFlight = new Set<Promise<void>>();
  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const delay = new Promise((resolve) => setTimeout(resolve, opts.latencyMs ?? 0));
    const done = delay
      .then(() => handle(req, res, ctx))
      .catch(() => {
        if (!res.headersSent) res.writeHead(500);
        res.end();
      })
      .finally(() => inFlight.delete(done));
    inFlight.add(done);
  };
  const server: Server = opts.tls ? createHttpsServer(opts.tls, onRequest) : createServer(onRequest);
  server.keepAliveTimeout = 1000;
  const port = await listen(server, opts.host ?? "127.0.0.1", opts.port ?? 0);
  const url = `${opts.tls ? "https" : "http"}://127.0.0.1:${port}`;
  return {
    url,
    root,
    requests: log,
    createRepo: (name, o) => createRepo(root, name, `${url}/${name}.git`, o?.defaultBranch ?? "main"),
    packRequests: () => log.filter((r) => r.packSent),
    clearRequests: () => void log.splice(0, log.length),
    settled: async () => void (await Promise.all(inFlight)),
    setProtocolV2: (on) => void (ctx.v2 = on),
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(root, { recursive: true, force: true });
    },
  };
}
