import { kubeRequest, resourcePath } from "../../runtime/kube-request.js";
import type { KubeConfig } from "../../runtime/kubeconfig/index.js";
import { CliError, type CliIo, type GlobalOptions } from "../context.js";
import { loadKubeConfig, targetNamespace } from "../kubeconfig.js";
import { FLUX_KINDS, FluxObjects } from "../flux-objects.js";
import { formatData, formatTable } from "../output.js";

/**
 * `mooring events [--for Kind/name]`: Kubernetes events in a namespace (or all with -A), oldest
 * first; for a Kustomization also those of its source, as `flux events` shows them.
 */
export async function eventsCommand(options: GlobalOptions & { for?: string }, io: CliIo): Promise<number> {
  const kc = loadKubeConfig(options, io.env);
  const namespace = options.allNamespaces ? undefined : targetNamespace(kc, options);
  const list = await listEvents(kc, namespace);
  const wanted = options.for
    ? await involvedObjects(new FluxObjects(kc), options.for, namespace ?? "default")
    : undefined;
  const events = list.items
    .filter(
      (e) =>
        !wanted || wanted.some((w) => w.kind === e.involvedObject.kind && w.name === e.involvedObject.name),
    )
    .sort((a, b) => time(a) - time(b));
  if (options.output === "json" || options.output === "yaml") {
    io.stdout(formatData(events.map(summarise), options.output));
    return 0;
  }
  const rows = events.map((e) => {
    const row = [
      age(e),
      e.type ?? "",
      e.reason ?? "",
      `${e.involvedObject.kind ?? ""}/${e.involvedObject.name ?? ""}`,
      oneLine(e.message ?? ""),
    ];
    return options.allNamespaces ? [e.metadata.namespace ?? "", ...row] : row;
  });
  const header = ["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"];
  io.stdout(formatTable(options.allNamespaces ? ["NAMESPACE", ...header] : header, rows));
  return 0;
}

/** A core/v1 Event as the API server returns it: only the fields the command shows. */
interface CoreEvent {
  metadata: { namespace?: string; creationTimestamp?: string | null };
  involvedObject: { kind?: string; name?: string };
  type?: string;
  reason?: string;
  message?: string;
  count?: number;
  lastTimestamp?: string | null;
  eventTime?: string | null;
}

/** The events of `namespace`, or of all namespaces when it is undefined. */
async function listEvents(kc: KubeConfig, namespace: string | undefined): Promise<{ items: CoreEvent[] }> {
  const path = resourcePath({ apiVersion: "v1", plural: "events", ...(namespace ? { namespace } : {}) });
  const list = await kubeRequest<{ items?: CoreEvent[] }>(kc, path);
  return { items: list.items ?? [] };
}

async function involvedObjects(
  objects: FluxObjects,
  spec: string,
  namespace: string,
): Promise<{ kind: string; name: string }[]> {
  const [kind, name] = spec.split("/");
  if (!kind || !name) throw new CliError(`--for takes Kind/name, e.g. Kustomization/apps (got "${spec}")`, 2);
  const wanted = [{ kind, name }];
  if (kind === FLUX_KINDS.kustomization.kind) {
    const ks = await objects.get(FLUX_KINDS.kustomization, namespace, name).catch(() => undefined);
    const ref = ks?.spec?.sourceRef;
    if (ref) wanted.push({ kind: ref.kind, name: ref.name });
  }
  return wanted;
}

function time(e: CoreEvent): number {
  const t = e.lastTimestamp ?? e.eventTime ?? e.metadata.creationTimestamp;
  return t ? new Date(t).getTime() : 0;
}

function age(e: CoreEvent): string {
  const seconds = Math.max(0, Math.round((Date.now() - time(e)) / 1000));
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)}m`;
  return `${Math.round(seconds / 3600)}h`;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, " ");
}

function summarise(e: CoreEvent): Record<string, unknown> {
  return {
    namespace: e.metadata.namespace,
    // As a Date, so -o json|yaml print it as they always have (ISO 8601 with milliseconds).
    lastTimestamp: dateOf(e.lastTimestamp ?? e.eventTime),
    type: e.type,
    reason: e.reason,
    object: `${e.involvedObject.kind ?? ""}/${e.involvedObject.name ?? ""}`,
    count: e.count,
    message: e.message,
  };
}

function dateOf(t: string | null | undefined): Date | undefined {
  return t ? new Date(t) : undefined;
}
