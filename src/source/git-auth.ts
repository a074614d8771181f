/**
 * HTTPS credentials and TLS material for a GitRepository, from its `secretRef` (flux-compat §1.1).
 *
 * Keys: `bearerToken`, or `username` + `password`; `ca.crt` (legacy `caFile`), `tls.crt` and
 * `tls.key`. Credentials in the URL are used when the Secret has none, and are always taken out
 * of the URL so they can never reach a message. The two cases Flux rejects are rejected here.
 */
import { GenericError, StallingError } from "../runtime/errors.js";
import { Reason } from "../api/index.js";

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
}

/** Parses the URL and refuses what isomorphic-git cannot speak (SSH) with a stalling error. */
export function parseRepositoryUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch (err) {
    throw new StallingError(Reason.URLInvalid, `invalid URL '${raw}': cannot be parsed`, { cause: err });
  }
  if (url.protocol === "ssh:") {
    throw new StallingError(
      Reason.URLInvalid,
      `SSH URLs are not supported by mooring (isomorphic-git speaks no SSH): use the HTTPS URL of the repository with a token in secretRef ('bearerToken', or 'username' and 'password')`,
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new StallingError(
      Reason.URLInvalid,
      `invalid URL '${raw}': scheme '${url.protocol.replace(":", "")}' is not supported, use https`,
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

/**
 * Builds the auth for `url` from decoded Secret data (undefined when there is no secretRef).
 * Throws AuthenticationFailed for a password without username and for basic plus bearer.
 */
export function gitAuthFor(
  url: URL,
  data: Readonly<Record<string, string>> | undefined,
  secretName?: string,
): GitAuth {
  const d = data ?? {};
  const urlUser = url.username === "" ? undefined : decodeURIComponent(url.username);
  const urlPass = url.password === "" ? undefined : decodeURIComponent(url.password);
  const token = text(d, "bearerToken");
  const fromSecret = text(d, "username") !== undefined || text(d, "password") !== undefined;
  const user = fromSecret ? text(d, "username") : urlUser;
  const pass = fromSecret ? text(d, "password") : urlPass;
  const secrets = [
    token,
    pass,
    user && pass ? Buffer.from(`${user}:${pass}`).toString("base64") : undefined,
  ].filter((s): s is string => s !== undefined);
  if (pass !== undefined && user === undefined)
    throw authError(secretName, "'password' is set but 'username' is missing", secrets);
  if (token !== undefined && (user !== undefined || pass !== undefined)) {
    throw authError(
      secretName,
      "basic auth ('username'/'password') and 'bearerToken' cannot be used together",
      secrets,
    );
  }
  const clean = new URL(url.toString());
  clean.username = "";
  clean.password = "";
  const ca = text(d, "ca.crt") ?? text(d, "caFile");
  const cert = text(d, "tls.crt");
  const key = text(d, "tls.key");
  return {
    url: clean.toString(),
    headers: authorizationHeader(user, pass, token),
    secrets,
    ...(ca === undefined ? {} : { ca }),
    ...(cert === undefined || key === undefined ? {} : { cert, key }),
  };
}
