import { type CliIo, type GlobalOptions } from "../context.js";
import { loadKubeConfig, targetNamespace } from "../kubeconfig.js";
import { FLUX_KINDS, type FluxKind, type FluxObject, FluxObjects, readyOf } from "../flux-objects.js";
import { colourStatus, formatData, formatTable } from "../output.js";

/**
 * `mooring get sources git` and `mooring get ks`: Flux's columns (NAME, REVISION, SUSPENDED,
 * READY, MESSAGE; NAMESPACE first with -A), or the objects as JSON/YAML for scripts.
 */
export async function getCommand(kind: FluxKind, options: GlobalOptions, io: CliIo): Promise<number> {
  const kc = loadKubeConfig(options, io.env);
  const namespace = options.allNamespaces ? undefined : targetNamespace(kc, options);
  const items = await new FluxObjects(kc).list(kind, namespace);
  if (options.output === "json" || options.output === "yaml") {
    io.stdout(formatData(items.map(summarise), options.output));
    return 0;
  }
  if (items.length === 0) {
    io.stderr(
      `no ${kind.label} objects found in ${namespace ? `namespace ${namespace}` : "any namespace"}\n`,
    );
    return 0;
  }
  const header = ["NAME", "REVISION", "SUSPENDED", "READY", "MESSAGE"];
  const rows = items.map((obj) => {
    const ready = readyOf(obj);
    return [
      obj.metadata?.name ?? "",
      revisionOf(kind, obj),
      String(obj.spec?.suspend ?? false),
      colourStatus(ready.status, io.tty),
      ready.message,
    ];
  });
  if (options.allNamespaces) {
    io.stdout(
      formatTable(
        ["NAMESPACE", ...header],
        rows.map((r, i) => [items[i]?.metadata?.namespace ?? "", ...r]),
      ),
    );
  } else {
    io.stdout(formatTable(header, rows));
  }
  return 0;
}

/** The revision column: the artifact's for sources, the last applied one for Kustomizations. */
export function revisionOf(kind: FluxKind, obj: FluxObject): string {
  return (kind === FLUX_KINDS.git ? obj.status?.artifact?.revision : obj.status?.lastAppliedRevision) ?? "";
}

function summarise(obj: FluxObject): Record<string, unknown> {
  const ready = readyOf(obj);
  return {
    namespace: obj.metadata?.namespace,
    name: obj.metadata?.name,
    revision: obj.status?.artifact?.revision ?? obj.status?.lastAppliedRevision ?? "",
    suspended: obj.spec?.suspend ?? false,
    ready: ready.status,
    reason: ready.reason,
    message: ready.message,
  };
}
