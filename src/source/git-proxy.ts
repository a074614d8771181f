/**
 * `GitRepository.spec.proxySecretRef` (issue 15, flux-compat §1.1): the proxy git traffic goes
 * through, from a Secret in the GitRepository's namespace with Flux's keys: `address` (required;
 * an `http://`, `https://` or `socks5://` URL), `username`, `password`. Failures are
 * `AuthenticationFailed` with Flux's wording (`failed to configure proxy options: …`); the
 * credentials are scrubbed from every message.
 */
import { Reason } from "../api/index.js";
import { GenericError } from "../runtime/errors.js";
import type { GitProxy } from "./git-http.js";

const PROXY_SCHEMES = new Set(["http:", "https:", "socks5:", "socks:"]);

const text = (d: Readonly<Record<string, string>>, k: string): string | undefined =>
  d[k] === undefined || d[k] === "" ? undefined : d[k];

/** A proxy problem, as Flux words it. */
function proxyError(message: string, secrets: readonly string[] = []): GenericError {
  return new GenericError(Reason.AuthenticationFailed, `failed to configure proxy options: ${message}`, {
    secrets,
  });
}

/** The Secret's username and password, else those written in the address. */
function credentialsOf(
  data: Readonly<Record<string, string>>,
  url: URL,
): { username: string | undefined; password: string | undefined } {
  const fromUrl = (v: string): string | undefined => (v === "" ? undefined : decodeURIComponent(v));
  const username = text(data, "username");
  if (username !== undefined) return { username, password: text(data, "password") };
  return { username: fromUrl(url.username), password: fromUrl(url.password) };
}

/** The address as a URL of a supported scheme. */
function proxyUrl(address: string, shown: string): URL {
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    throw proxyError(`invalid proxy secret '${shown}': 'address' is not a URL`, [address]);
  }
  if (!PROXY_SCHEMES.has(url.protocol)) {
    const scheme = url.protocol.replace(":", "");
    throw proxyError(
      `invalid proxy secret '${shown}': scheme '${scheme}' is not supported, use http, https or socks5`,
    );
  }
  return url;
}

/** The proxy and the values to scrub from messages. */
export interface ProxySettings {
  readonly proxy: GitProxy;
  readonly secrets: readonly string[];
}

/**
 * The proxy of decoded Secret data; `shown` is `namespace/name` for messages, `data` undefined
 * when the Secret does not exist. Credentials in the address's userinfo are used unless the
 * Secret has a `username`.
 */
export function proxyFor(data: Readonly<Record<string, string>> | undefined, shown: string): ProxySettings {
  const name = shown.slice(shown.indexOf("/") + 1);
  if (data === undefined)
    throw proxyError(`failed to get proxy secret '${shown}': secrets "${name}" not found`);
  const address = text(data, "address");
  if (address === undefined) throw proxyError(`invalid proxy secret '${shown}': key 'address' is missing`);
  const url = proxyUrl(address, shown);
  const { username, password } = credentialsOf(data, url);
  url.username = "";
  url.password = "";
  const secrets = [username, password].filter((v): v is string => v !== undefined && v !== "");
  return {
    proxy: {
      url: url.toString(),
      ...(username === undefined ? {} : { username }),
      ...(password === undefined ? {} : { password }),
    },
    secrets,
  };
}
