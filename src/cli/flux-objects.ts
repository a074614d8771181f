import {
  type KubeConfig,
  KubernetesObjectApi,
  type KubernetesObject,
  PatchStrategy,
} from "@kubernetes/client-node";

/** A GitRepository or Kustomization as the CLI reads it: only the fields it prints or waits on. */
export interface FluxObject extends KubernetesObject {
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

/** Thin typed access to Flux objects through the generic object API. */
export class FluxObjects {
  private readonly api: KubernetesObjectApi;

  constructor(kc: KubeConfig) {
    this.api = KubernetesObjectApi.makeApiClient(kc);
  }

  /** Lists objects of `kind` in `namespace`, or in all namespaces when it is undefined. */
  async list(kind: FluxKind, namespace: string | undefined): Promise<FluxObject[]> {
    const list = await this.api.list<FluxObject>(kind.apiVersion, kind.kind, namespace);
    return [...list.items].sort((a, b) => key(a).localeCompare(key(b)));
  }

  /** Reads one object; throws the API error (404 included). */
  get(kind: FluxKind, namespace: string, name: string): Promise<FluxObject> {
    return this.api.read<FluxObject>({
      apiVersion: kind.apiVersion,
      kind: kind.kind,
      metadata: { name, namespace },
    });
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
    if (patch.metadata) body.metadata = { ...patch.metadata, name, namespace };
    return this.api.patch(body, undefined, undefined, "mooring", undefined, PatchStrategy.MergePatch);
  }
}

function key(obj: KubernetesObject): string {
  return `${obj.metadata?.namespace ?? ""}/${obj.metadata?.name ?? ""}`;
}

/** The Ready condition as `flux get` shows it: no condition means "waiting to be reconciled". */
export function readyOf(obj: FluxObject): { status: string; message: string; reason: string } {
  const ready = obj.status?.conditions?.find((c) => c.type === "Ready");
  if (!ready) return { status: "False", message: "waiting to be reconciled", reason: "" };
  return { status: ready.status, message: ready.message ?? "", reason: ready.reason ?? "" };
}
