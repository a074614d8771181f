/**
 * `spec.kubeConfig` (issue 15 item 2): the kubeconfig of the remote cluster a Kustomization applies
 * to, read from a Secret in the Kustomization's namespace as Flux reads it (PKG runtime/client
 * `getRESTConfigFromSecret`): `secretRef.key` when set, else the `value` key, else `value.yaml`.
 *
 * The kubeconfig comes from a tenant, so only what it carries inline is used, as Flux's
 * `KubeConfig` sanitiser does: server, CA data, TLS server name, client certificate and key data,
 * token, basic auth. Anything that would make the controller read its own files (token or
 * certificate files), run a command (`exec`, `auth-provider`), skip TLS verification or go through
 * a proxy is refused with a message saying so; it is never parsed by client-node first, because
 * client-node reads `token-file` while parsing. A failure never falls back to the local cluster.
 */
import { createHash } from "node:crypto";
import { KubeConfig } from "@kubernetes/client-node";
import { parse } from "yaml";
import { type Kustomization, Reason } from "../api/index.js";
import { GenericError, StallingError } from "../runtime/errors.js";
import { isJsonObject } from "../util/kube-object.js";
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

type Entry = Record<string, unknown>;

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

const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);

/** The entry `name` of a kubeconfig list (`clusters`, `users`, `contexts`), unwrapped. */
function named(list: unknown, name: string | undefined, field: string): Entry | undefined {
  if (!Array.isArray(list)) return undefined;
  const found = list.find((e): e is Entry => isJsonObject(e) && e.name === name);
  const inner = found?.[field];
  return isJsonObject(inner) ? inner : undefined;
}

/** A kubeconfig problem; the message never quotes the kubeconfig (it holds credentials). */
class InvalidKubeConfig extends Error {}

function refused(cluster: Entry, user: Entry): string[] {
  const out: string[] = [];
  for (const k of REFUSED_CLUSTER)
    if (cluster[k] !== undefined && cluster[k] !== false) out.push(`cluster.${k}`);
  for (const k of REFUSED_USER) if (user[k] !== undefined) out.push(`user.${k}`);
  return out;
}

/** Parses the kubeconfig; a YAML error names only the line (the text holds credentials). */
function parseDocument(text: string): Entry {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    const line = (err as { linePos?: { line: number }[] }).linePos?.[0]?.line;
    throw new InvalidKubeConfig(`it is not valid YAML${line === undefined ? "" : ` (line ${line})`}`);
  }
  if (!isJsonObject(doc)) throw new InvalidKubeConfig("it is not a kubeconfig document");
  return doc;
}

/** The cluster and user entries of the current context. */
function currentEntries(doc: Entry): { cluster: Entry; user: Entry; server: string } {
  const current = str(doc["current-context"]);
  if (current === undefined) throw new InvalidKubeConfig("it has no current-context");
  const context = named(doc.contexts, current, "context");
  if (context === undefined) throw new InvalidKubeConfig(`context '${current}' is not defined`);
  const clusterName = String(context.cluster);
  const cluster = named(doc.clusters, clusterName, "cluster");
  if (cluster === undefined) throw new InvalidKubeConfig(`cluster '${clusterName}' is not defined`);
  const server = str(cluster.server);
  if (server === undefined) throw new InvalidKubeConfig(`cluster '${clusterName}' has no server`);
  return { cluster, user: named(doc.users, str(context.user), "user") ?? {}, server };
}

/** The inline settings of the kubeconfig's current context. */
export function inlineSettings(text: string): Inline {
  const { cluster, user, server } = currentEntries(parseDocument(text));
  const bad = refused(cluster, user);
  if (bad.length > 0) {
    throw new InvalidKubeConfig(
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
  const kc = new KubeConfig();
  const { server, caData, tlsServerName, ...user } = inline;
  kc.loadFromOptions({
    clusters: [{ name: "remote", server, caData, tlsServerName, skipTLSVerify: false }],
    users: [{ name: "remote", ...user }],
    contexts: [{ name: "remote", cluster: "remote", user: "remote" }],
    currentContext: "remote",
  });
  return kc;
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
    if (err instanceof InvalidKubeConfig)
      throw fail(`KubeConfig secret '${shown}' is unusable: ${err.message}`);
    throw fail((err as Error).message);
  }
}
