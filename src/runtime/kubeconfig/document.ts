/**
 * The kubeconfig document (clientcmd's `Config`): parsed from YAML and narrowed to the context in
 * use, its cluster and its user, as raw entries. What the entries may hold is decided by the
 * callers: the controller's own kubeconfig ({@link ./settings.ts}) and a tenant's remote one
 * (`src/kustomization/remote-kubeconfig.ts`).
 */
import { parse } from "yaml";
import { isJsonObject } from "../../util/kube-object.js";

/** One entry of a kubeconfig list, unwrapped (`cluster`, `user` or `context`). */
export type KubeConfigEntry = Record<string, unknown>;

/** A kubeconfig that cannot be used; the message never quotes it (it holds credentials). */
export class KubeConfigError extends Error {
  override name = "KubeConfigError";
}

/** The entries the current (or the given) context names. */
export interface CurrentEntries {
  readonly contextName: string;
  readonly context: KubeConfigEntry;
  readonly clusterName: string;
  readonly cluster: KubeConfigEntry;
  /** Empty when the context names no user (anonymous). */
  readonly user: KubeConfigEntry;
  readonly server: string;
}

/** A non-empty string value, else undefined. */
export const nonEmpty = (v: unknown): string | undefined =>
  typeof v === "string" && v !== "" ? v : undefined;

/** The entry `name` of a kubeconfig list (`clusters`, `users`, `contexts`), unwrapped. */
export function namedEntry(
  list: unknown,
  name: string | undefined,
  field: string,
): KubeConfigEntry | undefined {
  if (!Array.isArray(list)) return undefined;
  const found = list.find((e): e is KubeConfigEntry => isJsonObject(e) && e.name === name);
  const inner = found?.[field];
  return isJsonObject(inner) ? inner : undefined;
}

/** Parses kubeconfig YAML; a YAML error names only the line (the text holds credentials). */
export function parseKubeConfigDocument(text: string): KubeConfigEntry {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    const line = (err as { linePos?: { line: number }[] }).linePos?.[0]?.line;
    throw new KubeConfigError(`it is not valid YAML${line === undefined ? "" : ` (line ${line})`}`);
  }
  if (!isJsonObject(doc)) throw new KubeConfigError("it is not a kubeconfig document");
  return doc;
}

/** The cluster and user entries of `context` (default: the document's current-context). */
export function currentEntries(doc: KubeConfigEntry, context?: string): CurrentEntries {
  const contextName = context ?? nonEmpty(doc["current-context"]);
  if (contextName === undefined) throw new KubeConfigError("it has no current-context");
  const ctx = namedEntry(doc.contexts, contextName, "context");
  if (ctx === undefined) throw new KubeConfigError(`context '${contextName}' is not defined`);
  const clusterName = String(ctx.cluster);
  const cluster = namedEntry(doc.clusters, clusterName, "cluster");
  if (cluster === undefined) throw new KubeConfigError(`cluster '${clusterName}' is not defined`);
  const server = nonEmpty(cluster.server);
  if (server === undefined) throw new KubeConfigError(`cluster '${clusterName}' has no server`);
  const user = namedEntry(doc.users, nonEmpty(ctx.user), "user") ?? {};
  return { contextName, context: ctx, clusterName, cluster, user, server };
}
