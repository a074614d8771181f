/**
 * `spec.kubeConfig` (issue 15 item 2): the kubeconfig of the remote cluster a Kustomization applies
 * to, read from a Secret in the Kustomization's namespace as Flux reads it (PKG runtime/client
 * `getRESTConfigFromSecret`): `secretRef.key` when set, else the `value` key, else `value.yaml`.
 *
 * The kubeconfig comes from a tenant, so only what it carries inline is used, as Flux's
 * `KubeConfig` sanitiser does: server, CA data, TLS server name, client certificate and key data,
 * token, basic auth. Anything that would make the controller read its own files (token or
 * certificate files), run a command (`exec`, `auth-provider`), skip TLS verification or go through
 * a proxy is refused with a message saying so. A failure never falls back to the local cluster.
 */
import { createHash } from "node:crypto";
import { type Kustomization, Reason } from "../api/index.js";
import { GenericError, StallingError } from "../runtime/errors.js";
import { type KubeConfig, KubeConfigError, KubeCredentials } from "../runtime/kubeconfig/index.js";
import {
  currentEntries,
  type KubeConfigEntry as Entry,
  nonEmpty as str,
  parseKubeConfigDocument,
} from "../runtime/kubeconfig/document.js";
import type { KustomizationClient } from "./ports.js";

/** A remote cluster: its sanitised kubeconfig and a key of its content (the client cache key). */
export interface RemoteCluster {
  /** sha256 of the sanitised connection settings: equal content shares one client set. */
  readonly key: string;
  readonly kubeConfig: KubeConfig;
  /** `namespace/name` of the Secret, for messages. */
  readonly secret: string;
}

/** The connection settings kept from a kubeconfig (Flux's sanitiser keeps the same). */
interface Inline {
  readonly server: string;
  readonly caData?: string;
  readonly tlsServerName?: string;
  readonly certData?: string;
  readonly keyData?: string;
  readonly token?: string;
  readonly username?: string;
  readonly password?: string;
}

/** Settings that make the controller read files, run commands, skip TLS checks or use a proxy. */
const REFUSED_CLUSTER = ["certificate-authority", "insecure-skip-tls-verify", "proxy-url"] as const;
const REFUSED_USER = [
  "tokenFile",
  "token-file",
  "client-certificate",
  "client-key",
  "exec",
  "auth-provider",
] as const;

function refused(cluster: Entry, user: Entry): string[] {
  const out: string[] = [];
  for (const k of REFUSED_CLUSTER)
    if (cluster[k] !== undefined && cluster[k] !== false) out.push(`cluster.${k}`);
  for (const k of REFUSED_USER) if (user[k] !== undefined) out.push(`user.${k}`);
  return out;
}

/** The inline settings of the kubeconfig's current context. */
export function inlineSettings(text: string): Inline {
  const { cluster, user, server } = currentEntries(parseKubeConfigDocument(text));
  const bad = refused(cluster, user);
  if (bad.length > 0) {
    throw new KubeConfigError(
      `it uses ${bad.join(", ")}, which mooring refuses for remote clusters (as Flux does without ` +
        `--insecure-kubeconfig-exec/--insecure-kubeconfig-tls): put the credentials inline ` +
        `(token, client-certificate-data and client-key-data, certificate-authority-data)`,
    );
  }
  const pick = (e: Entry, k: string, as = k): Partial<Record<string, string>> => {
    const v = str(e[k]);
    return v === undefined ? {} : { [as]: v };
  };
  return {
    server,
    ...pick(cluster, "certificate-authority-data", "caData"),
    ...pick(cluster, "tls-server-name", "tlsServerName"),
    ...pick(user, "client-certificate-data", "certData"),
    ...pick(user, "client-key-data", "keyData"),
    ...pick(user, "token"),
    ...pick(user, "username"),
    ...pick(user, "password"),
  };
}

/** A KubeConfig holding exactly `inline` (nothing read from disk, no exec, TLS verified). */
export function kubeConfigOf(inline: Inline): KubeConfig {
  const { server, caData, tlsServerName, certData, keyData, token, username, password } = inline;
  const pem = (b64: string): { data: string } => ({ data: Buffer.from(b64, "base64").toString("utf8") });
  return new KubeCredentials(
    { server, ...(caData ? { ca: pem(caData) } : {}), ...(tlsServerName ? { tlsServerName } : {}) },
    {
      ...(certData ? { cert: pem(certData) } : {}),
      ...(keyData ? { key: pem(keyData) } : {}),
      ...(token ? { token: { data: token } } : {}),
      ...(username ? { username } : {}),
      ...(password ? { password } : {}),
    },
  );
}

/** The kubeconfig text of the Secret, by Flux's key rule. */
function kubeConfigText(data: Record<string, string>, shown: string, key: string | undefined): string {
  const decode = (k: string): string | undefined =>
    data[k] === undefined ? undefined : Buffer.from(data[k], "base64").toString("utf8");
  if (key !== undefined && key !== "") {
    const text = decode(key);
    if (text === undefined)
      throw new Error(`KubeConfig secret '${shown}' does not contain a '${key}' key with a kubeconfig`);
    return text;
  }
  const text = decode("value") ?? decode("value.yaml");
  if (text === undefined)
    throw new Error(`KubeConfig secret '${shown}' does not contain a 'value' key with a kubeconfig`);
  return text;
}

/**
 * The remote cluster of `ks`, or undefined when it has no `spec.kubeConfig`. Throws
 * `ReconciliationFailed` (retried at `retryAfterMs`) when the Secret or the kubeconfig is unusable,
 * and a stalling error for `configMapRef` (workload identity), which mooring does not support.
 */
export async function loadRemoteCluster(
  ks: Kustomization,
  client: Pick<KustomizationClient, "getConfigData">,
  retryAfterMs: number,
): Promise<RemoteCluster | undefined> {
  const ref = ks.spec.kubeConfig;
  if (ref === undefined) return undefined;
  if (ref.secretRef === undefined) {
    throw new StallingError(
      Reason.ReconciliationFailed,
      "spec.kubeConfig.configMapRef (workload identity) is not supported by mooring: put a kubeconfig " +
        "with inline credentials in a Secret and reference it with spec.kubeConfig.secretRef",
    );
  }
  const namespace = ks.metadata.namespace ?? "";
  const shown = `${namespace}/${ref.secretRef.name}`;
  const fail = (message: string, cause?: unknown): GenericError =>
    new GenericError(Reason.ReconciliationFailed, message, { cause, retryAfterMs });
  let data: Record<string, string> | undefined;
  try {
    data = await client.getConfigData("Secret", { namespace, name: ref.secretRef.name });
  } catch (err) {
    throw fail(`unable to read KubeConfig secret '${shown}' error: ${(err as Error).message}`, err);
  }
  if (data === undefined) {
    throw fail(
      `unable to read KubeConfig secret '${shown}' error: secrets "${ref.secretRef.name}" not found`,
    );
  }
  try {
    const inline = inlineSettings(kubeConfigText(data, shown, ref.secretRef.key));
    const key = createHash("sha256").update(JSON.stringify(inline)).digest("hex");
    return { key, kubeConfig: kubeConfigOf(inline), secret: shown };
  } catch (err) {
    if (err instanceof KubeConfigError)
      throw fail(`KubeConfig secret '${shown}' is unusable: ${err.message}`);
    throw fail((err as Error).message);
  }
}
