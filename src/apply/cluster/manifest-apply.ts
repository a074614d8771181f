/**
 * Server-side apply of manifests exactly as written, for the CLI and the dev tools.
 *
 * client-node's KubernetesObjectApi serialises built-in kinds through its generated models, and a
 * model drops every key it spells differently: a CRD schema's `default`, `enum` and
 * `x-kubernetes-*` keys vanish without an error, so CRDs installed that way lose their defaults
 * (a GitRepository without `spec.timeout` then reaches Flux's source-controller as nil). This path
 * sends the object's own JSON, through the apply layer's client.
 */
import type { KubeConfig } from "../../runtime/kubeconfig/index.js";
import type { KubeObject } from "../types.js";
import { RestMapper } from "./discovery.js";
import { KubeHttp } from "./http.js";
import { ObjectClient, refOf } from "./object-client.js";

/** Applies objects with forced ownership; `close` ends the kept-alive connections. */
export interface ManifestApplier {
  apply(obj: KubeObject, options: { fieldManager: string; dryRun?: boolean }): Promise<KubeObject>;
  /** The live object as the server stores it, or undefined when there is none. */
  get(obj: Pick<KubeObject, "apiVersion" | "kind" | "metadata">): Promise<KubeObject | undefined>;
  close(): Promise<void>;
}

/** A {@link ManifestApplier} on `kc`'s credentials, discovering resources as it goes. */
export function manifestApplier(kc: KubeConfig): ManifestApplier {
  const http = new KubeHttp(kc);
  const client = new ObjectClient(http, new RestMapper(http));
  return {
    apply: (obj, o) => client.apply(obj, { fieldManager: o.fieldManager, dryRun: o.dryRun ?? false }),
    get: (obj) => client.get(refOf(obj)),
    close: () => http.close(),
  };
}
