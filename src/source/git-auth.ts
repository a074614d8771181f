/**
 * HTTPS credentials and TLS material for a GitRepository, from its `secretRef` (flux-compat §1.1).
 *
 * Keys: `bearerToken`, or `username` + `password`; `ca.crt` (legacy `caFile`), `tls.crt` and
 * `tls.key`. Credentials in the URL are used when the Secret has none, and are always taken out
 * of the URL so they can never reach a message. The two cases Flux rejects are rejected here.
 * `ssh://` URLs take Flux's SSH keys instead (git-ssh-auth.ts).
 */
import { GenericError, StallingError } from "../runtime/errors.js";
import { Reason } from "../api/index.js";
import type { SshRemote } from "./git-ssh.js";
import { sshAuthFor } from "./git-ssh-auth.js";

/** What the transport needs to authenticate and verify the server. */
export interface GitAuth {
  /** The URL without userinfo. */
  readonly url: string;
  /** `Authorization` header, if any. */
  readonly headers: Readonly<Record<string, string>>;
  readonly ca?: string;
  readonly cert?: string;
  readonly key?: string;
  /** Values to scrub from every message. */
  readonly secrets: readonly string[];
  /** Where the credentials sent come from, so an authentication failure points at the right place. */
  readonly credentialSource: "secretRef" | "url" | "none";
  /** Set for `ssh://` URLs: the transport is SSH (git-ssh-http.ts), not HTTP. */
  readonly ssh?: SshRemote;
}

/** Parses the URL (http, https or ssh, as the CRD admits) and stalls on anything else. */
export function parseRepositoryUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch (err) {
    throw new StallingError(Reason.URLInvalid, `invalid URL '${raw}': cannot be parsed`, { cause: err });
  }
  if (url.protocol !== "http:" && url.protocol !== "https:" && url.protocol !== "ssh:") {
    throw new StallingError(
      Reason.URLInvalid,
      `invalid URL '${raw}': scheme '${url.protocol.replace(":", "")}' is not supported, use https or ssh`,
    );
  }
  if (url.hostname === "") throw new StallingError(Reason.URLInvalid, `invalid URL '${raw}': no host`);
  return url;
}

const text = (data: Readonly<Record<string, string>>, key: string): string | undefined => {
  const v = data[key];
  return v === undefined || v === "" ? undefined : v;
};

function authError(secretName: string | undefined, problem: string, secrets: string[]): GenericError {
  const where = secretName === undefined ? "the URL" : `secret '${secretName}'`;
  return new GenericError(Reason.AuthenticationFailed, `invalid credentials in ${where}: ${problem}`, {
    secrets,
  });
}

function authorizationHeader(
  user: string | undefined,
  pass: string | undefined,
  token: string | undefined,
): Record<string, string> {
  if (token !== undefined) return { Authorization: `Bearer ${token}` };
  if (user === undefined) return {};
  return { Authorization: `Basic ${Buffer.from(`${user}:${pass ?? ""}`).toString("base64")}` };
}

interface Credentials {
  readonly user: string | undefined;
  readonly pass: string | undefined;
  readonly token: string | undefined;
  readonly source: GitAuth["credentialSource"];
}

/** Secret keys win; URL userinfo is the fallback when the Secret has no basic credentials. */
function credentials(url: URL, d: Readonly<Record<string, string>>): Credentials {
  const fromSecret = text(d, "username") !== undefined || text(d, "password") !== undefined;
  const fromUrl = (v: string): string | undefined => (v === "" ? undefined : decodeURIComponent(v));
  const token = text(d, "bearerToken");
  const user = fromSecret ? text(d, "username") : fromUrl(url.username);
  const source = fromSecret || token !== undefined ? "secretRef" : user !== undefined ? "url" : "none";
  return { user, pass: fromSecret ? text(d, "password") : fromUrl(url.password), token, source };
}

function secretValues(c: Credentials): string[] {
  const basic = c.user && c.pass ? Buffer.from(`${c.user}:${c.pass}`).toString("base64") : undefined;
  return [c.token, c.pass, basic].filter((s): s is string => s !== undefined);
}

function tlsMaterial(d: Readonly<Record<string, string>>): Pick<GitAuth, "ca" | "cert" | "key"> {
  const ca = text(d, "ca.crt") ?? text(d, "caFile");
  const cert = text(d, "tls.crt");
  const key = text(d, "tls.key");
  return {
    ...(ca === undefined ? {} : { ca }),
    ...(cert === undefined || key === undefined ? {} : { cert, key }),
  };
}

/**
 * Builds the auth for `url` from decoded Secret data (undefined when there is no secretRef).
 * Throws AuthenticationFailed for a password without username and for basic plus bearer.
 */
export function gitAuthFor(
  url: URL,
  data: Readonly<Record<string, string>> | undefined,
  secretName?: string,
): GitAuth {
  if (url.protocol === "ssh:") {
    const ssh = sshAuthFor(url, data, secretName);
    return {
      url: ssh.url,
      headers: {},
      secrets: ssh.secrets,
      credentialSource: "secretRef",
      ssh: ssh.remote,
    };
  }
  const d = data ?? {};
  const c = credentials(url, d);
  const secrets = secretValues(c);
  if (c.pass !== undefined && c.user === undefined) {
    throw authError(secretName, "'password' is set but 'username' is missing", secrets);
  }
  if (c.token !== undefined && (c.user !== undefined || c.pass !== undefined)) {
    const problem = "basic auth ('username'/'password') and 'bearerToken' cannot be used together";
    throw authError(secretName, problem, secrets);
  }
  const clean = new URL(url.toString());
  clean.username = "";
  clean.password = "";
  return {
    url: clean.toString(),
    headers: authorizationHeader(c.user, c.pass, c.token),
    secrets,
    credentialSource: c.source,
    ...tlsMaterial(d),
  };
}
