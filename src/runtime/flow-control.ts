/**
 * Whether the API server runs API Priority and Fairness (APF, on by default since Kubernetes
 * 1.20): it then queues and sheds load per client itself, and marks every response it handled
 * with `X-Kubernetes-PF-FlowSchema-UID`. Flux's controllers check this at start and turn their
 * client-side rate limit off when the header is there (`--kube-api-qps`/`--kube-api-burst` then
 * have no effect); mooring does the same, so a big Kustomization applies as fast as under Flux.
 */
import type { KubeConfig } from "./kubeconfig/index.js";
import { kubeTransport } from "./kube-transport.js";

const APF_HEADER = "x-kubernetes-pf-flowschema-uid";

/**
 * True when one cheap request (`GET /livez/ping`) comes back marked by APF. Any failure counts
 * as "no": the client-side limit then stays on, the safe side.
 */
export async function serverHasPriorityAndFairness(kc: KubeConfig, signal?: AbortSignal): Promise<boolean> {
  try {
    const res = await kubeTransport(kc).send({
      method: "GET",
      path: "/livez/ping",
      ...(signal ? { signal } : {}),
    });
    await res.body.dump();
    return res.headers[APF_HEADER] !== undefined;
  } catch {
    return false;
  }
}
