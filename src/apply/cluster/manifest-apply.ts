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
import { isNotFound } from "./errors.js";
import { HttpMethod, KubeHttp } from "./http.js";
import { ObjectClient, refOf } from "./object-client.js";

type ObjectId = Pick<KubeObject, "apiVersion" | "kind" | "metadata">;

/** Applies objects with forced ownership; `close` ends the kept-alive connections. */
export interface ManifestApplier {
  apply(obj: KubeObject, options: { fieldManager: string; dryRun?: boolean }): Promise<KubeObject>;
  /** The live object as the server stores it, or undefined when there is none. */
  get(obj: ObjectId): Promise<KubeObject | undefined>;
  /** Deletes with background propagation (or dry-runs that); false when it was already gone. */
  delete(obj: ObjectId, options: { dryRun?: boolean }): Promise<boolean>;
  close(): Promise<void>;
}

/** A {@link ManifestApplier} on `kc`'s credentials, discovering resources as it goes. */
export function manifestApplier(kc: KubeConfig): ManifestApplier {
  const http = new KubeHttp(kc);
  const client = new ObjectClient(http, new RestMapper(http));
  return {
    apply: (obj, o) => client.apply(obj, { fieldManager: o.fieldManager, dryRun: o.dryRun ?? false }),
    get: (obj) => client.get(refOf(obj)),
    delete: (obj, o) => deleteObject(client, obj, o.dryRun ?? false),
    close: () => http.close(),
  };
}

/** ObjectClient.delete, plus the server-side dry run `mooring uninstall --dry-run` asks for. */
async function deleteObject(client: ObjectClient, obj: ObjectId, dryRun: boolean): Promise<boolean> {
  const { path } = await client.pathOf(refOf(obj));
  const body = { kind: "DeleteOptions", apiVersion: "v1", propagationPolicy: "Background" };
  try {
    await client.http.request({
      verb: "delete",
      method: HttpMethod.DELETE,
      path,
      ...(dryRun ? { query: { dryRun: "All" } } : {}),
      body,
    });
    return true;
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
}
