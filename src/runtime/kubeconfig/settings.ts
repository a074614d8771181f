/**
 * The controller's own kubeconfig entries → the settings its requests use. Everything client-go
 * honours for a controller is supported (inline or file CA, client certificate and key, token or
 * token file, basic auth, exec plugins, TLS server name, skipping TLS verification, an HTTP(S)
 * proxy); what mooring does not implement (auth-provider, impersonation in the kubeconfig, SOCKS
 * proxies, interactive exec plugins) is refused with a message naming it, never ignored.
 */
import { isJsonObject } from "../../util/kube-object.js";
import type { ClusterSettings, Material, UserSettings } from "./credentials.js";
import { type CurrentEntries, KubeConfigError, type KubeConfigEntry, nonEmpty } from "./document.js";
import type { ExecPlugin } from "./exec.js";

const IMPERSONATION = ["as", "as-uid", "as-groups", "as-user-extra"] as const;

/** Inline base64 data or a file (its path made absolute by the loader), else undefined. */
function material(e: KubeConfigEntry, dataKey: string, fileKey: string, what: string): Material | undefined {
  const data = nonEmpty(e[dataKey]);
  if (data !== undefined) return { data: Buffer.from(data, "base64").toString("utf8") };
  const file = nonEmpty(e[fileKey]);
  return file === undefined ? undefined : { file, what };
}

/** The cluster settings of `entries`. */
export function clusterSettings(entries: CurrentEntries): ClusterSettings {
  const { cluster, clusterName, server } = entries;
  const ca = material(
    cluster,
    "certificate-authority-data",
    "certificate-authority",
    "certificate authority",
  );
  const insecure = cluster["insecure-skip-tls-verify"] === true;
  if (insecure && ca !== undefined)
    throw new KubeConfigError(
      `cluster '${clusterName}' sets both insecure-skip-tls-verify and a certificate authority; keep one`,
    );
  const proxyUrl = nonEmpty(cluster["proxy-url"]);
  if (proxyUrl !== undefined && !/^https?:\/\//.test(proxyUrl))
    throw new KubeConfigError(
      `cluster '${clusterName}' has proxy-url with a scheme mooring does not support (http and https only)`,
    );
  const tlsServerName = nonEmpty(cluster["tls-server-name"]);
  return {
    server,
    ...(ca ? { ca } : {}),
    ...(insecure ? { insecureSkipTlsVerify: true } : {}),
    ...(tlsServerName ? { tlsServerName } : {}),
    ...(proxyUrl ? { proxyUrl } : {}),
  };
}

/** Refuses what mooring does not implement: auth-provider, impersonation. */
function refuseUnsupported(user: KubeConfigEntry, name: string): void {
  if (user["auth-provider"] !== undefined) {
    const provider = isJsonObject(user["auth-provider"]) ? nonEmpty(user["auth-provider"].name) : undefined;
    throw new KubeConfigError(
      `user '${name}' uses auth-provider '${provider ?? "?"}', which mooring does not support: use an exec credential plugin or a token`,
    );
  }
  const impersonating = IMPERSONATION.filter((k) => user[k] !== undefined);
  if (impersonating.length > 0)
    throw new KubeConfigError(
      `user '${name}' sets ${impersonating.join(", ")} (impersonation), which mooring does not support in a kubeconfig`,
    );
}

/** `token` inline, else `tokenFile` (clientcmd's spelling) or `token-file`. */
function tokenOf(user: KubeConfigEntry): Material | undefined {
  const token = nonEmpty(user.token);
  if (token !== undefined) return { data: token };
  const file = nonEmpty(user.tokenFile) ?? nonEmpty(user["token-file"]);
  return file === undefined ? undefined : { file, what: "token file" };
}

/** The user settings of `entries`. */
export function userSettings(entries: CurrentEntries): UserSettings {
  const { user } = entries;
  const name = nonEmpty(entries.context.user) ?? "";
  refuseUnsupported(user, name);
  const token = tokenOf(user);
  const username = nonEmpty(user.username);
  if (username !== undefined && token !== undefined)
    throw new KubeConfigError(`user '${name}' sets both username/password and a token; keep one`);
  const cert = material(user, "client-certificate-data", "client-certificate", "client certificate");
  const key = material(user, "client-key-data", "client-key", "client key");
  if ((cert === undefined) !== (key === undefined))
    throw new KubeConfigError(
      `user '${name}' has a client certificate without its key, or a key without its certificate`,
    );
  const password = nonEmpty(user.password);
  const exec = user.exec === undefined ? undefined : execPlugin(user.exec, name, entries);
  const set = <K extends string, V>(k: K, v: V | undefined): Partial<Record<K, V>> =>
    v === undefined ? {} : ({ [k]: v } as Record<K, V>);
  return {
    ...set("token", token),
    ...set("cert", cert),
    ...set("key", key),
    ...set("username", username),
    ...set("password", password),
    ...set("exec", exec),
  };
}

const EXEC_API_VERSIONS = ["client.authentication.k8s.io/v1", "client.authentication.k8s.io/v1beta1"];

function execPlugin(raw: unknown, name: string, entries: CurrentEntries): ExecPlugin {
  const bad = (why: string): KubeConfigError => new KubeConfigError(`user '${name}' exec plugin: ${why}`);
  if (!isJsonObject(raw)) throw bad("it is not a mapping");
  const command = nonEmpty(raw.command);
  if (command === undefined) throw bad("it has no command");
  const apiVersion = nonEmpty(raw.apiVersion) ?? "";
  if (!EXEC_API_VERSIONS.includes(apiVersion))
    throw bad(`apiVersion '${apiVersion}' is not supported (${EXEC_API_VERSIONS.join(" or ")})`);
  if (raw.interactiveMode === "Always")
    throw bad("interactiveMode Always needs a terminal; mooring runs the plugin without one");
  const args = Array.isArray(raw.args)
    ? raw.args.map((a) => (typeof a === "string" ? a : JSON.stringify(a)))
    : [];
  const cluster = raw.provideClusterInfo === true ? clusterInfo(entries.cluster) : undefined;
  return { command, args, env: execEnv(raw.env), apiVersion, ...(cluster ? { cluster } : {}) };
}

/** `exec.env`, a list of `{name, value}`. */
function execEnv(list: unknown): Record<string, string> {
  const env: Record<string, string> = {};
  for (const e of Array.isArray(list) ? list : [])
    if (isJsonObject(e) && typeof e.name === "string")
      env[e.name] = typeof e.value === "string" ? e.value : "";
  return env;
}

/** `spec.cluster` of the ExecCredential (client-go's Cluster, with inline CA data only). */
function clusterInfo(cluster: KubeConfigEntry): Record<string, unknown> {
  const keys = [
    "server",
    "tls-server-name",
    "insecure-skip-tls-verify",
    "certificate-authority-data",
    "proxy-url",
  ];
  const out: Record<string, unknown> = {};
  for (const k of keys) if (cluster[k] !== undefined) out[k] = cluster[k];
  return out;
}
