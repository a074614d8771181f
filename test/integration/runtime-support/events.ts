/** core/v1 Event objects as a watch-cache-free kind for the 410 test. */
import { kubeRequest, resourcePath } from "../../../src/runtime/kube-request.js";
import { testKubeConfig } from "../../support/kube.js";

/** Create/update/delete Events named `<group>-<n>` with reason `<group>`. */
export function eventApi(namespace: string, group: string) {
  const kc = testKubeConfig();
  const path = (name?: string) =>
    resourcePath({ apiVersion: "v1", plural: "events", namespace, ...(name ? { name } : {}) });
  return {
    create: (n: string) =>
      kubeRequest(kc, path(), {
        method: "POST",
        body: {
          apiVersion: "v1",
          kind: "Event",
          metadata: { name: `${group}-${n}`, namespace },
          involvedObject: { apiVersion: "v1", kind: "ConfigMap", name: n, namespace },
          reason: group,
          message: "created",
          type: "Normal",
        },
      }),
    update: (n: string) =>
      kubeRequest(kc, path(`${group}-${n}`), { method: "PATCH", body: { message: "updated" } }),
    remove: (n: string) => kubeRequest(kc, path(`${group}-${n}`), { method: "DELETE" }),
  };
}
