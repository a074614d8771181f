import type { CliIo, GlobalOptions } from "../context.js";
import { loadKubeConfig, targetNamespace } from "../kubeconfig.js";
import { type FluxKind, type FluxObject, FluxObjects, readyOf } from "../flux-objects.js";
import { waitFor, type WaitOutcome } from "./wait.js";

/**
 * `mooring suspend|resume <kind> NAME`: merge-patches `spec.suspend`. Resume then waits, as
 * `flux resume` does, until the controller has observed the new generation and Ready settled.
 */
export async function setSuspended(
  target: { kind: FluxKind; name: string; suspend: boolean },
  options: GlobalOptions,
  io: CliIo,
): Promise<number> {
  const { kind, name, suspend } = target;
  const kc = loadKubeConfig(options, io.env);
  const namespace = targetNamespace(kc, options);
  const objects = new FluxObjects(kc);
  io.stderr(`► ${suspend ? "suspending" : "resuming"} ${kind.label} ${name} in ${namespace} namespace\n`);
  const patched = await objects.mergePatch(kind, namespace, name, { spec: { suspend } });
  if (suspend) {
    io.stdout(`✔ ${kind.label} ${name} suspended\n`);
    return 0;
  }
  const generation = patched.metadata?.generation ?? 0;
  await waitFor(objects, { kind, namespace, name }, (obj) => observed(obj, generation), {
    timeoutMs: options.timeout,
    io,
    what: `${kind.label} ${namespace}/${name} to reconcile`,
  });
  io.stdout(`✔ ${kind.label} ${name} resumed and reconciled\n`);
  return 0;
}

/** The controller has handled `generation`; Ready tells how it went. */
export function observed(obj: FluxObject, generation: number): WaitOutcome {
  const ready = obj.status?.conditions?.find((c) => c.type === "Ready");
  const seen = (ready?.observedGeneration ?? obj.status?.observedGeneration ?? -1) >= generation;
  if (!seen) return { done: false };
  const { status, message } = readyOf(obj);
  if (status === "True") return { done: true, obj };
  if (status === "False") return { done: false, failed: message };
  return { done: false };
}
