/**
 * The no-op cache's safety net under impersonation (issue 17): an object the cache decides needs
 * no request at all would also never notice that the impersonated ServiceAccount lost the right
 * to change it; Flux, which dry-runs every object at every interval, fails then. Before a run may
 * use the cache as another identity, that identity is asked, one SelfSubjectAccessReview per
 * distinct (resource, namespace), whether it may still patch them. A refusal (or any doubt)
 * turns the cache off for the run, so the real requests fail with the server's own Forbidden.
 */
import { groupOf } from "../../util/kube-object.js";
import type { KubeObject } from "../types.js";
import { HttpMethod } from "./http.js";
import type { ObjectClient } from "./object-client.js";

const SSAR_PATH = "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews";

interface AccessReview {
  readonly status?: { readonly allowed?: boolean };
}

/** The distinct (group, resource, namespace) triples `objects` are written to. */
async function targetsOf(
  client: ObjectClient,
  objects: readonly KubeObject[],
): Promise<{ group: string; resource: string; namespace: string }[]> {
  const seen = new Map<string, { group: string; resource: string; namespace: string }>();
  for (const obj of objects) {
    const mapping = await client.mapper.mapping(obj.apiVersion, obj.kind);
    const namespace = mapping.namespaced ? (obj.metadata.namespace ?? "") : "";
    const group = groupOf(obj.apiVersion);
    seen.set(`${group}/${mapping.resource}/${namespace}`, { group, resource: mapping.resource, namespace });
  }
  return [...seen.values()];
}

/**
 * True when `client`'s identity may still patch every object's kind in its namespace. False on a
 * refusal and on any failure to ask (no discovery, a review refused): doubt means no cache.
 */
export async function mayStillPatch(
  client: ObjectClient,
  objects: readonly KubeObject[],
  signal?: AbortSignal,
): Promise<boolean> {
  try {
    for (const target of await targetsOf(client, objects)) {
      const review = await client.http.request<AccessReview>({
        verb: "create",
        method: HttpMethod.POST,
        path: SSAR_PATH,
        body: {
          apiVersion: "authorization.k8s.io/v1",
          kind: "SelfSubjectAccessReview",
          spec: {
            resourceAttributes: {
              verb: "patch",
              group: target.group,
              resource: target.resource,
              ...(target.namespace === "" ? {} : { namespace: target.namespace }),
            },
          },
        },
        signal,
      });
      if (review.status?.allowed !== true) return false;
    }
    return true;
  } catch {
    return false;
  }
}
