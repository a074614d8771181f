import type { KubeConfig } from "../runtime/kubeconfig/index.js";
import { kubeRequest, resourcePath } from "../runtime/kube-request.js";
import type { KubeMetadata } from "../util/kube-object.js";

/** A GitRepository or Kustomization as the CLI reads it: only the fields it prints or waits on. */
export interface FluxObject {
  apiVersion?: string;
  kind?: string;
  metadata?: KubeMetadata;
  spec?: {
    suspend?: boolean;
    sourceRef?: { kind: string; name: string; namespace?: string };
    [key: string]: unknown;
  };
  status?: FluxStatus;
}

/** The status fields the CLI reads. */
export interface FluxStatus {
  observedGeneration?: number;
  conditions?: {
    type: string;
    status: string;
    reason?: string;
    message?: string;
    observedGeneration?: number;
  }[];
  artifact?: { revision?: string };
  lastAppliedRevision?: string;
  lastAttemptedRevision?: string;
  lastHandledReconcileAt?: string;
  inventory?: { entries?: { id: string; v: string }[] };
}

export { FLUX_KINDS, type FluxKind } from "./flux-kinds.js";
import type { FluxKind } from "./flux-kinds.js";

/**
 * Thin typed access to Flux objects through the runtime's request client: the kinds are known,
 * so their paths need no discovery. API errors are the runtime's KubeApiError, whose message is
 * the server's (e.g. `kustomizations.kustomize.toolkit.fluxcd.io "x" not found`).
 */
export class FluxObjects {
  constructor(private readonly kc: KubeConfig) {}

  /** Lists objects of `kind` in `namespace`, or in all namespaces when it is undefined. */
  async list(kind: FluxKind, namespace: string | undefined): Promise<FluxObject[]> {
    const list = await kubeRequest<{ items?: FluxObject[] }>(this.kc, pathOf(kind, namespace));
    return [...(list.items ?? [])].sort((a, b) => key(a).localeCompare(key(b)));
  }

  /** Reads one object; throws the API error (404 included). */
  get(kind: FluxKind, namespace: string, name: string): Promise<FluxObject> {
    return kubeRequest<FluxObject>(this.kc, pathOf(kind, namespace, name));
  }

  /** JSON merge patch, as `flux suspend/resume/reconcile` send. */
  mergePatch(
    kind: FluxKind,
    namespace: string,
    name: string,
    patch: Record<string, unknown>,
  ): Promise<FluxObject> {
    const body: FluxObject = {
      apiVersion: kind.apiVersion,
      kind: kind.kind,
      metadata: { name, namespace },
      ...patch,
    };
    if (isMetadata(patch.metadata)) body.metadata = { ...patch.metadata, name, namespace };
    return kubeRequest<FluxObject>(this.kc, pathOf(kind, namespace, name), {
      method: "PATCH",
      body,
      contentType: "application/merge-patch+json",
      query: { fieldManager: "mooring" },
    });
  }
}

function pathOf(kind: FluxKind, namespace: string | undefined, name?: string): string {
  return resourcePath({
    apiVersion: kind.apiVersion,
    plural: kind.plural,
    ...(namespace === undefined ? {} : { namespace }),
    ...(name === undefined ? {} : { name }),
  });
}

function isMetadata(value: unknown): value is KubeMetadata {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function key(obj: FluxObject): string {
  return `${obj.metadata?.namespace ?? ""}/${obj.metadata?.name ?? ""}`;
}

/** The Ready condition as `flux get` shows it: no condition means "waiting to be reconciled". */
export function readyOf(obj: FluxObject): { status: string; message: string; reason: string } {
  const ready = obj.status?.conditions?.find((c) => c.type === "Ready");
  if (!ready) return { status: "False", message: "waiting to be reconciled", reason: "" };
  return { status: ready.status, message: ready.message ?? "", reason: ready.reason ?? "" };
}
