/**
 * Registry credentials from image pull Secrets, as Flux's keychain reads them: the Secret of
 * `spec.secretRef` first, then those of `spec.serviceAccountName`'s `imagePullSecrets`; in each,
 * `.dockerconfigjson` (`{"auths": {...}}`) or legacy `.dockercfg` (the `auths` map itself). An
 * entry's key may be a host, `host:port`, a URL (`https://index.docker.io/v1/`) or a
 * `*.example.com` wildcard; its credentials are `username` + `password`, `auth`
 * (base64 `user:pass`), or an `identitytoken`/`registrytoken`.
 */
import { Reason } from "../../api/index.js";
import { GenericError } from "../../runtime/errors.js";
import { DOCKER_HUB } from "./reference.js";

/** Credentials for one registry. */
export interface RegistryCredentials {
  readonly username?: string;
  readonly password?: string;
  /** An OAuth2 refresh token (`identitytoken`), exchanged at the token endpoint. */
  readonly identityToken?: string;
  /** A bearer token used as is (`registrytoken`). */
  readonly registryToken?: string;
}

interface AuthEntry {
  username?: string;
  password?: string;
  auth?: string;
  identitytoken?: string;
  registrytoken?: string;
}

/** A Secret's decoded data and its name (for messages). */
export interface PullSecret {
  readonly name: string;
  readonly data: Readonly<Record<string, string>>;
}

function authsOf(secret: PullSecret): Record<string, AuthEntry> {
  const json = secret.data[".dockerconfigjson"] ?? secret.data[".dockercfg"];
  if (json === undefined) {
    throw new GenericError(
      Reason.AuthenticationFailed,
      `failed to get credential: secret '${secret.name}' has neither '.dockerconfigjson' nor '.dockercfg' (it must be of type kubernetes.io/dockerconfigjson)`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new GenericError(
      Reason.AuthenticationFailed,
      `failed to get credential: secret '${secret.name}' does not hold valid docker config JSON`,
    );
  }
  const root = (parsed ?? {}) as { auths?: Record<string, AuthEntry> };
  if (secret.data[".dockerconfigjson"] !== undefined) return root.auths ?? {};
  return root;
}

/** `https://host:port/v1/` → `host:port`; Docker Hub's aliases fold into `index.docker.io`. */
export function registryKey(key: string): string {
  const host = key
    .replace(/^[a-z]+:\/\//i, "")
    .replace(/\/.*$/, "")
    .toLowerCase();
  return host === "docker.io" || host === "registry-1.docker.io" ? DOCKER_HUB : host;
}

function matches(key: string, registry: string): boolean {
  const k = registryKey(key);
  if (k === registry) return true;
  if (!k.startsWith("*.")) return false;
  const [kHost, kPort] = k.split(":");
  const [rHost, rPort] = registry.split(":");
  if (kPort !== rPort) return false;
  const suffix = kHost!.slice(1);
  const head = rHost!.slice(0, rHost!.length - suffix.length);
  return rHost!.endsWith(suffix) && head !== "" && !head.includes(".");
}

function credentialsOf(entry: AuthEntry): RegistryCredentials {
  let { username, password } = entry;
  if (username === undefined && entry.auth) {
    const decoded = Buffer.from(entry.auth, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    username = colon < 0 ? decoded : decoded.slice(0, colon);
    password = colon < 0 ? "" : decoded.slice(colon + 1);
  }
  return {
    ...(username ? { username } : {}),
    ...(password ? { password } : {}),
    ...(entry.identitytoken ? { identityToken: entry.identitytoken } : {}),
    ...(entry.registrytoken ? { registryToken: entry.registrytoken } : {}),
  };
}

/**
 * The credentials for `registry` from the Secrets in order (first match wins; an exact host
 * beats a wildcard within one Secret). Undefined: anonymous.
 */
export function credentialsFor(
  secrets: readonly PullSecret[],
  registry: string,
): RegistryCredentials | undefined {
  const target = registry.toLowerCase();
  for (const secret of secrets) {
    const auths = Object.entries(authsOf(secret));
    const exact = auths.find(([k]) => registryKey(k) === target);
    const found = exact ?? auths.find(([k]) => matches(k, target));
    if (found !== undefined) return credentialsOf(found[1]);
  }
  return undefined;
}

/** The values to scrub from messages. */
export function credentialSecrets(c: RegistryCredentials | undefined): string[] {
  if (c === undefined) return [];
  const basic =
    c.username !== undefined && c.password !== undefined
      ? Buffer.from(`${c.username}:${c.password}`).toString("base64")
      : undefined;
  return [c.password, c.identityToken, c.registryToken, basic].filter(
    (v): v is string => v !== undefined && v !== "",
  );
}
