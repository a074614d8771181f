/**
 * Where the controller's (and the CLI's) credentials come from, as client-go decides: a kubeconfig
 * file (`--kubeconfig`, else the KUBECONFIG list, else ~/.kube/config) or, in a pod, the service
 * account's token and CA. Files are read when loading; credential files they name (token, CA,
 * client certificate) are read per request, at most once a minute, so rotation is picked up.
 */
import { existsSync, readFileSync } from "node:fs";
import { isIP } from "node:net";
import { delimiter, dirname, isAbsolute, join } from "node:path";
import { isJsonObject } from "../../util/kube-object.js";
import { type CredentialDeps, KubeCredentials } from "./credentials.js";
import {
  currentEntries,
  KubeConfigError,
  type KubeConfigEntry,
  parseKubeConfigDocument,
} from "./document.js";
import { commandRunner } from "./exec.js";
import { clusterSettings, userSettings } from "./settings.js";

/** The process environment as the loader reads it (KUBECONFIG, HOME, the in-cluster service). */
export type KubeEnv = Readonly<Record<string, string | undefined>>;

/** Where a pod's service account credentials are mounted. */
export const SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";

/** Options of the loaders. */
export interface LoadOptions {
  /** A context other than the current-context. */
  readonly context?: string;
  /** Overrides for tests (file reads, the exec runner, the clock). */
  readonly deps?: CredentialDeps;
}

const FILE_KEYS: Record<string, readonly string[]> = {
  clusters: ["certificate-authority"],
  users: ["client-certificate", "client-key", "tokenFile", "token-file"],
};

/** The entries of `doc` with their relative file paths made absolute against `dir`. */
function absolutise(doc: KubeConfigEntry, dir: string): KubeConfigEntry {
  const out: KubeConfigEntry = { ...doc };
  for (const [list, keys] of Object.entries(FILE_KEYS)) {
    const field = list === "clusters" ? "cluster" : "user";
    if (!Array.isArray(doc[list])) continue;
    out[list] = (doc[list] as unknown[]).map((e) => {
      if (!isJsonObject(e) || !isJsonObject(e[field])) return e;
      const inner: KubeConfigEntry = { ...e[field] };
      for (const k of keys) {
        const v = inner[k];
        if (typeof v === "string" && v !== "" && !isAbsolute(v)) inner[k] = join(dir, v);
      }
      return { ...e, [field]: inner };
    });
  }
  return out;
}

/** Several kubeconfig documents as one: the first occurrence of a name or of current-context wins. */
function merge(docs: readonly KubeConfigEntry[]): KubeConfigEntry {
  const merged: KubeConfigEntry = {};
  for (const list of ["clusters", "users", "contexts"]) {
    const seen = new Set<unknown>();
    merged[list] = docs
      .flatMap((d) => (Array.isArray(d[list]) ? (d[list] as unknown[]) : []))
      .filter((e) => {
        const name = isJsonObject(e) ? e.name : undefined;
        if (seen.has(name)) return false;
        seen.add(name);
        return true;
      });
  }
  merged["current-context"] = docs
    .map((d) => d["current-context"])
    .find((c) => typeof c === "string" && c !== "");
  return merged;
}

function readDocument(path: string): KubeConfigEntry {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new Error(`cannot read kubeconfig ${path}: ${(err as Error).message}`, { cause: err });
  }
  try {
    return absolutise(parseKubeConfigDocument(text), dirname(path));
  } catch (err) {
    if (err instanceof KubeConfigError) throw new KubeConfigError(`kubeconfig ${path}: ${err.message}`);
    throw err;
  }
}

/** The credentials of one or more kubeconfig files (KUBECONFIG's list semantics). */
export function loadKubeConfigFiles(
  paths: readonly string[],
  env: KubeEnv,
  options: LoadOptions = {},
): KubeCredentials {
  const shown = paths.join(delimiter);
  try {
    const entries = currentEntries(merge(paths.map(readDocument)), options.context);
    const namespace = typeof entries.context.namespace === "string" ? entries.context.namespace : undefined;
    const user = userSettings(entries);
    return new KubeCredentials(clusterSettings(entries), user, namespace || undefined, {
      ...(user.exec ? { runCommand: commandRunner(env) } : {}),
      ...options.deps,
    });
  } catch (err) {
    if (err instanceof KubeConfigError && !err.message.startsWith("kubeconfig "))
      throw new KubeConfigError(`kubeconfig ${shown}: ${err.message}`);
    throw err;
  }
}

/** A pod's service-account credentials (client-go's InClusterConfig). */
export function inClusterKubeConfig(
  env: KubeEnv,
  options: LoadOptions & { dir?: string } = {},
): KubeCredentials {
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT;
  if (!host || !port)
    throw new KubeConfigError(
      "in-cluster credentials need KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT (not running in a pod?)",
    );
  const dir = options.dir ?? SERVICE_ACCOUNT_DIR;
  let namespace: string | undefined;
  try {
    namespace = readFileSync(join(dir, "namespace"), "utf8").trim() || undefined;
  } catch {
    namespace = undefined;
  }
  const server = `https://${isIP(host) === 6 ? `[${host}]` : host}:${port}`;
  return new KubeCredentials(
    { server, ca: { file: join(dir, "ca.crt"), what: "service account CA" } },
    { token: { file: join(dir, "token"), what: "service account token" } },
    namespace,
    options.deps,
  );
}

/**
 * kubectl's rule for a user's machine: KUBECONFIG (a list), else ~/.kube/config, else in-cluster
 * when running in a pod; anything else is an error saying what was looked for.
 */
export function defaultKubeConfig(env: KubeEnv, options: LoadOptions = {}): KubeCredentials {
  const list = (env.KUBECONFIG ?? "").split(delimiter).filter(Boolean);
  if (list.length > 0) return loadKubeConfigFiles(list, env, options);
  const home = env.HOME ?? env.USERPROFILE;
  const file = home ? join(home, ".kube", "config") : undefined;
  if (file !== undefined && existsSync(file)) return loadKubeConfigFiles([file], env, options);
  if (env.KUBERNETES_SERVICE_HOST) return inClusterKubeConfig(env, options);
  throw new KubeConfigError(
    `no kubeconfig: pass --kubeconfig, set KUBECONFIG${file ? ` or create ${file}` : ""}`,
  );
}
