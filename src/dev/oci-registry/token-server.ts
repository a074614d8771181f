/**
 * A Docker token service for tests and the bench: the registry (registry.ts, `token` option)
 * answers 401 with `Bearer realm=…,service=…,scope=…`, clients fetch a JWT here (Basic auth, or
 * anonymously) and send it back, as they do with Docker Hub, ghcr.io and most hosted registries.
 * Tokens are RS256 JWTs whose key the registry trusts through a JWKS file.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { generateKeyPairSync, randomUUID, sign, type KeyObject } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../control-plane/ports.js";
import type { TokenAuth } from "./registry.js";

/** Options of {@link startTokenServer}. */
export interface TokenServerOptions {
  /** Users allowed to pull and push every repository (name → password). */
  readonly users: Readonly<Record<string, string>>;
  /** Repositories anyone may pull without credentials (like a public ghcr.io package). */
  readonly publicRepositories?: readonly string[];
}

/** One token request as the service saw it. */
export interface TokenRequestSeen {
  /** The user who authenticated, "" for an anonymous request, "(refused)" for bad credentials. */
  readonly user: string;
  readonly scopes: readonly string[];
  readonly status: number;
}

/** A running token service. */
export interface TokenServer {
  /** What to give {@link startRegistry} so the registry trusts this service. */
  readonly auth: TokenAuth;
  /** A token granting `actions` on `repository`, for a test's own pushes. */
  mint(repository: string, actions: readonly string[]): string;
  readonly requests: () => TokenRequestSeen[];
  stop(): Promise<void>;
}

const SERVICE = "mooring-test-registry";
const ISSUER = "mooring-test-token-service";
const KEY_ID = "mooring-test-key";

const b64url = (b: Buffer | string): string => Buffer.from(b).toString("base64url");

interface Access {
  type: string;
  name: string;
  actions: string[];
}

function jwt(key: KeyObject, subject: string, access: Access[]): string {
  const now = Math.floor(Date.now() / 1000);
  const header = { alg: "RS256", typ: "JWT", kid: KEY_ID };
  const claims = {
    iss: ISSUER,
    sub: subject,
    aud: SERVICE,
    exp: now + 300,
    nbf: now - 5,
    iat: now,
    jti: randomUUID(),
    access,
  };
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
  return `${input}.${b64url(sign("sha256", Buffer.from(input), key))}`;
}

/** `repository:name:pull,push` → the access claim. */
function parseScope(scope: string): Access | undefined {
  const m = /^(repository):(.+):([a-z,*]+)$/.exec(scope);
  return m ? { type: m[1]!, name: m[2]!, actions: m[3]!.split(",") } : undefined;
}

/** The user a Basic header names, "" when absent, undefined when the password is wrong. */
function authenticate(req: IncomingMessage, users: Readonly<Record<string, string>>): string | undefined {
  const header = req.headers.authorization;
  if (header === undefined) return "";
  const m = /^Basic\s+(.+)$/i.exec(header);
  if (!m) return undefined;
  const decoded = Buffer.from(m[1]!, "base64").toString();
  const colon = decoded.indexOf(":");
  const user = decoded.slice(0, colon);
  return colon > 0 && users[user] === decoded.slice(colon + 1) ? user : undefined;
}

/** What `user` ("" = anonymous) may do of what `scope` asks. */
function grant(access: Access, user: string, publicRepos: ReadonlySet<string>): Access {
  if (user !== "") return access;
  const pull = publicRepos.has(access.name) && access.actions.includes("pull");
  return { ...access, actions: pull ? ["pull"] : [] };
}

/** Starts the token service on 127.0.0.1; its JWKS file lives in a temp dir removed by stop(). */
export async function startTokenServer(opts: TokenServerOptions): Promise<TokenServer> {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const dir = await mkdtemp(join(tmpdir(), "mooring-token-"));
  const jwksPath = join(dir, "jwks.json");
  const jwk = { ...publicKey.export({ format: "jwk" }), kid: KEY_ID, alg: "RS256", use: "sig" };
  await writeFile(jwksPath, JSON.stringify({ keys: [jwk] }));
  const publicRepos = new Set(opts.publicRepositories ?? []);
  const seen: TokenRequestSeen[] = [];
  const answer = (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? "/", "http://token");
    const scopes = url.searchParams.getAll("scope").flatMap((s) => s.split(" "));
    const user = authenticate(req, opts.users);
    const reply = (status: number, body: unknown): void => {
      seen.push({ user: user ?? "(refused)", scopes, status });
      res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
    };
    if (url.pathname !== "/token" || req.method !== "GET") return reply(404, { error: "not found" });
    if (url.searchParams.get("service") !== SERVICE) return reply(400, { error: "unknown service" });
    if (user === undefined) return reply(401, { details: "incorrect username or password" });
    const access = scopes.flatMap((s) => parseScope(s) ?? []).map((a) => grant(a, user, publicRepos));
    const token = jwt(privateKey, user || "anonymous", access);
    reply(200, { token, access_token: token, expires_in: 300, issued_at: new Date().toISOString() });
  };
  const server = createServer(answer);
  const port = await freePort();
  await new Promise<void>((done) => server.listen(port, "127.0.0.1", done));
  return {
    auth: { realm: `http://127.0.0.1:${port}/token`, service: SERVICE, issuer: ISSUER, jwksPath },
    mint: (repository, actions) =>
      jwt(privateKey, "test", [{ type: "repository", name: repository, actions: [...actions] }]),
    requests: () => [...seen],
    stop: async () => {
      await new Promise<void>((done) => server.close(() => done()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
