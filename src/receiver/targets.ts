/**
 * Requests reconciles the way `flux reconcile` and Flux's Receiver do: a merge patch that sets
 * `reconcile.fluxcd.io/requestedAt` on each target. The source and Kustomization controllers
 * already react to a changed value (fluxDefaultPredicate), so the Receiver needs no
 * other channel into them; a GitRepository fetched this way then triggers its Kustomizations
 * through the usual source watch.
 */
import type { KubeConfig } from "../runtime/kubeconfig/index.js";
import { RECONCILE_REQUEST_ANNOTATION } from "../api/constants.js";
import { kubeRequest, resourcePath } from "../runtime/kube-request.js";
import type { ReceiverTarget } from "./spec.js";

/** What one webhook call did. */
export interface AnnotateOutcome {
  /** `Kind/namespace/name` of every object annotated. */
  readonly annotated: readonly string[];
  /** One line per target that failed (not found, forbidden, list failed). */
  readonly errors: readonly string[];
  /** Wildcard targets whose labels matched nothing (Flux logs this and carries on). */
  readonly unmatched: readonly string[];
}

const selectorOf = (labels: Readonly<Record<string, string>>): string =>
  Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(",");

async function namesOf(kc: KubeConfig, target: ReceiverTarget, signal: AbortSignal): Promise<string[]> {
  if (target.name !== undefined) return [target.name];
  const path = resourcePath({
    apiVersion: target.apiVersion,
    plural: target.plural,
    namespace: target.namespace,
  });
  const list = await kubeRequest<{ items?: { metadata?: { name?: string } }[] }>(kc, path, {
    query: { labelSelector: selectorOf(target.matchLabels) },
    signal,
  });
  return (list.items ?? []).map((o) => o.metadata?.name ?? "").filter((n) => n !== "");
}

async function annotate(
  kc: KubeConfig,
  object: { readonly target: ReceiverTarget; readonly name: string },
  value: string,
  signal: AbortSignal,
): Promise<void> {
  const { target, name } = object;
  const path = resourcePath({
    apiVersion: target.apiVersion,
    plural: target.plural,
    namespace: target.namespace,
    name,
  });
  await kubeRequest(kc, path, {
    method: "PATCH",
    body: { metadata: { annotations: { [RECONCILE_REQUEST_ANNOTATION]: value } } },
    contentType: "application/merge-patch+json",
    signal,
  });
}

/**
 * Annotates every target with `requestedAt = value`; carries on past a failing target (as Flux
 * does) and reports each failure.
 */
export async function requestReconciles(
  kc: KubeConfig,
  targets: readonly ReceiverTarget[],
  value: string,
  signal: AbortSignal,
): Promise<AnnotateOutcome> {
  const annotated: string[] = [];
  const errors: string[] = [];
  const unmatched: string[] = [];
  for (const target of targets) {
    const label = `${target.kind}/${target.namespace}/${target.name ?? `*(${selectorOf(target.matchLabels)})`}`;
    try {
      const names = await namesOf(kc, target, signal);
      if (names.length === 0) unmatched.push(label);
      for (const name of names) {
        await annotate(kc, { target, name }, value, signal);
        annotated.push(`${target.kind}/${target.namespace}/${name}`);
      }
    } catch (err) {
      errors.push(`unable to request reconciliation of ${label}: ${(err as Error).message}`);
    }
  }
  return { annotated, errors, unmatched };
}
