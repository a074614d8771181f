/**
 * The registry authentication handshake of the distribution spec and Docker's token spec: a
 * request answered 401 carries `WWW-Authenticate: Basic realm=…` (send the credentials) or
 * `Bearer realm=…,service=…,scope=…` (get a token from the realm, with the credentials as Basic
 * auth, or by OAuth2 refresh token, then send it). The outcome is remembered per registry,
 * repository and credentials, so the next poll sends it up front and an unchanged artifact costs
 * one request, not three.
 */
import { createHash } from "node:crypto";
import type { Dispatcher } from "undici";
import { request } from "undici";
import type { RegistryCredentials } from "./credentials.js";

/** A parsed `WWW-Authenticate` challenge. */
export interface Challenge {
  readonly scheme: string;
  readonly params: Readonly<Record<string, string>>;
}

/** Parses `Bearer realm="…",service="…"` (one challenge; quoted or token values). */
export function parseChallenge(header: string | undefined): Challenge | undefined {
  if (header === undefined || header.trim() === "") return undefined;
  const m = /^\s*([A-Za-z]+)\s*(.*)$/.exec(header);
  if (!m) return undefined;
  const params: Record<string, string> = {};
  for (const p of (m[2] ?? "").matchAll(/([A-Za-z_]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g)) {
    params[p[1]!.toLowerCase()] = (p[2] ?? p[3] ?? "").replace(/\\(.)/g, "$1");
  }
  return { scheme: m[1]!.toLowerCase(), params };
}

/** What to send on the next request to one repository. */
type AuthState =
  | { readonly kind: "basic"; readonly header: string }
  | { readonly kind: "bearer"; readonly header: string; readonly expiresAt: number };

/** The registry refused the credentials or the token exchange failed. */
export class RegistryAuthError extends Error {
  override readonly name = "RegistryAuthError";
}

const basicOf = (c: RegistryCredentials): string | undefined =>
  c.username === undefined
    ? undefined
    : `Basic ${Buffer.from(`${c.username}:${c.password ?? ""}`).toString("base64")}`;

/** Where a token request goes and how it is sent. */
export interface TokenRequest {
  readonly challenge: Challenge;
  readonly repository: string;
  readonly credentials: RegistryCredentials | undefined;
  readonly dispatcher: Dispatcher | undefined;
  readonly signal: AbortSignal;
  readonly userAgent: string;
}

/** Remembered handshakes, by registry, repository and credentials. */
export class RegistryAuthCache {
  private readonly states = new Map<string, AuthState>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Cache key; the credentials enter only as a hash. */
  static key(host: string, repository: string, credentials: RegistryCredentials | undefined): string {
    const creds = createHash("sha256")
      .update(JSON.stringify(credentials ?? null))
      .digest("hex");
    return `${host}|${repository}|${creds}`;
  }

  /** The `Authorization` header to send up front, if a handshake is remembered and valid. */
  header(key: string): string | undefined {
    const s = this.states.get(key);
    if (s === undefined) return undefined;
    if (s.kind === "bearer" && s.expiresAt <= this.now()) {
      this.states.delete(key);
      return undefined;
    }
    return s.header;
  }

  /** Forgets a handshake the registry no longer accepts. */
  forget(key: string): void {
    this.states.delete(key);
  }

  /**
   * Answers a challenge: returns the header to retry with, or undefined when there is nothing
   * to try (a Basic challenge without credentials). Throws RegistryAuthError when a token
   * request fails.
   */
  async answer(key: string, req: TokenRequest): Promise<string | undefined> {
    const c = req.credentials;
    if (req.challenge.scheme === "basic") {
      const header = c === undefined ? undefined : basicOf(c);
      if (header !== undefined) this.states.set(key, { kind: "basic", header });
      return header;
    }
    if (req.challenge.scheme !== "bearer") return undefined;
    if (c?.registryToken !== undefined) {
      const header = `Bearer ${c.registryToken}`;
      this.states.set(key, { kind: "bearer", header, expiresAt: Number.POSITIVE_INFINITY });
      return header;
    }
    const { token, expiresInS } = await fetchToken(req);
    const header = `Bearer ${token}`;
    // Renew a little early so a token never expires between the check and the request.
    this.states.set(key, {
      kind: "bearer",
      header,
      expiresAt: this.now() + Math.max(expiresInS - 10, 1) * 1000,
    });
    return header;
  }
}

async function fetchToken(req: TokenRequest): Promise<{ token: string; expiresInS: number }> {
  const realm = req.challenge.params.realm;
  if (realm === undefined) throw new RegistryAuthError("bearer challenge without realm");
  const url = new URL(realm);
  const service = req.challenge.params.service;
  const scope = req.challenge.params.scope ?? `repository:${req.repository}:pull`;
  const c = req.credentials;
  const common = { signal: req.signal, ...(req.dispatcher ? { dispatcher: req.dispatcher } : {}) };
  let res: Dispatcher.ResponseData;
  if (c?.identityToken !== undefined) {
    const form = new URLSearchParams({
      grant_type: "refresh_token",
      refresh_token: c.identityToken,
      client_id: "mooring",
      scope,
      ...(service === undefined ? {} : { service }),
    });
    res = await request(url, {
      ...common,
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", "user-agent": req.userAgent },
      body: form.toString(),
    });
  } else {
    if (service !== undefined) url.searchParams.set("service", service);
    url.searchParams.set("scope", scope);
    const basic = c === undefined ? undefined : basicOf(c);
    const headers = { "user-agent": req.userAgent, ...(basic ? { authorization: basic } : {}) };
    res = await request(url, { ...common, method: "GET", headers });
  }
  const text = await res.body.text();
  if (res.statusCode !== 200) {
    throw new RegistryAuthError(
      `token request to ${url.origin}${url.pathname} failed with status ${res.statusCode}${
        res.statusCode === 401 ? ": the registry refused the credentials" : ""
      }`,
    );
  }
  const body = JSON.parse(text) as { token?: string; access_token?: string; expires_in?: number };
  const token = body.token ?? body.access_token;
  if (token === undefined) throw new RegistryAuthError(`token response from ${url.origin} holds no token`);
  return { token, expiresInS: body.expires_in ?? 60 };
}
