import { RECONCILE_REQUEST_ANNOTATION } from "../../api/constants.js";
import { CliError, type CliIo, type GlobalOptions } from "../context.js";
import { loadKubeConfig, targetNamespace } from "../kubeconfig.js";
import { FLUX_KINDS, type FluxKind, type FluxObject, FluxObjects, readyOf } from "../flux-objects.js";
import { revisionOf } from "./get.js";
import { waitFor, type WaitOutcome } from "./wait.js";

/**
 * `mooring reconcile source git NAME` / `mooring reconcile ks NAME [--with-source]`: sets
 * `reconcile.fluxcd.io/requestedAt`, waits until the controller echoes it in
 * `status.lastHandledReconcileAt`, and prints the outcome. Exit 1 when it ends not Ready.
 */
export async function reconcileCommand(
  kind: FluxKind,
  name: string,
  options: GlobalOptions & { withSource?: boolean },
  io: CliIo,
): Promise<number> {
  const kc = loadKubeConfig(options, io.env);
  const namespace = targetNamespace(kc, options);
  const objects = new FluxObjects(kc);
  const obj = await objects.get(kind, namespace, name);
  if (obj.spec?.suspend)
    throw new CliError(`${kind.label} ${namespace}/${name} is suspended: resume it first`);
  if (options.withSource && kind === FLUX_KINDS.kustomization)
    await reconcileSource(objects, obj, options, io);
  await requestAndWait(objects, { kind, namespace, name }, options, io);
  return 0;
}

async function reconcileSource(
  objects: FluxObjects,
  ks: FluxObject,
  options: GlobalOptions,
  io: CliIo,
): Promise<void> {
  const ref = ks.spec?.sourceRef;
  if (ref?.kind !== "GitRepository")
    throw new CliError(`--with-source supports GitRepository sources, not ${ref?.kind ?? "none"}`);
  const namespace = ref.namespace ?? ks.metadata?.namespace ?? "";
  await requestAndWait(objects, { kind: FLUX_KINDS.git, namespace, name: ref.name }, options, io);
}

async function requestAndWait(
  objects: FluxObjects,
  target: { kind: FluxKind; namespace: string; name: string },
  options: GlobalOptions,
  io: CliIo,
): Promise<void> {
  const requestedAt = new Date().toISOString();
  io.stderr(`► annotating ${target.kind.label} ${target.name} in ${target.namespace} namespace\n`);
  await objects.mergePatch(target.kind, target.namespace, target.name, {
    metadata: { annotations: { [RECONCILE_REQUEST_ANNOTATION]: requestedAt } },
  });
  io.stderr(`◎ waiting for ${target.kind.label} reconciliation\n`);
  const done = await waitFor(objects, target, (obj) => handled(obj, requestedAt), {
    timeoutMs: options.timeout,
    io,
    what: `${target.kind.label} ${target.namespace}/${target.name} to reconcile`,
  });
  const verb = target.kind === FLUX_KINDS.git ? "fetched" : "applied";
  io.stderr(`✔ ${target.kind.label} reconciliation completed\n`);
  io.stdout(`✔ ${verb} revision ${revisionOf(target.kind, done)}\n`);
}

/**
 * Done once the controller has handled this request and Ready is True; failed when it handled it
 * and Ready is False. Unlike Flux's CLI we do not wait out the timeout on a failure: the status
 * written together with lastHandledReconcileAt is that run's outcome.
 */
export function handled(obj: FluxObject, requestedAt: string): WaitOutcome {
  if (obj.status?.lastHandledReconcileAt !== requestedAt) return { done: false };
  const ready = readyOf(obj);
  if (ready.status === "True") return { done: true, obj };
  if (ready.status === "False") return { done: false, failed: ready.message };
  return { done: false };
}
