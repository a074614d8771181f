import type { KubeConfig } from "@kubernetes/client-node";
import { kubeRequest } from "../../src/runtime/kube-request.js";

interface Deployment {
  metadata: { name: string; namespace: string; generation?: number };
  spec?: { replicas?: number };
  status?: { observedGeneration?: number };
}

/**
 * The local control plane runs no deployment controller, so a Deployment never reports that it
 * observed its generation and `wait: true` would never pass. This stands in for it: every
 * `everyMs` it writes, for each Deployment of the namespaces, the status a real controller writes
 * for 0 replicas. Both controller sets under test see the same stand-in.
 */
export class DeploymentStatusWriter {
  private stopped = false;
  private readonly loop: Promise<void>;

  constructor(
    private readonly kc: KubeConfig,
    private readonly labelSelector: string,
    private readonly everyMs = 500,
  ) {
    this.loop = this.run();
  }

  /** Ends the loop. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        await this.pass();
      } catch {
        // A failed pass is retried on the next tick; the bench's own wait reports a stall.
      }
      await new Promise((r) => setTimeout(r, this.everyMs));
    }
  }

  private async pass(): Promise<void> {
    const list = await kubeRequest<{ items: Deployment[] }>(this.kc, "/apis/apps/v1/deployments", {
      query: { labelSelector: this.labelSelector },
    });
    const stale = list.items.filter((d) => d.status?.observedGeneration !== d.metadata.generation);
    await Promise.all(
      stale.map((d) =>
        kubeRequest(
          this.kc,
          `/apis/apps/v1/namespaces/${d.metadata.namespace}/deployments/${d.metadata.name}/status`,
          {
            method: "PATCH",
            body: {
              status: {
                observedGeneration: d.metadata.generation,
                replicas: 0,
                updatedReplicas: 0,
                readyReplicas: 0,
                availableReplicas: 0,
                conditions: [
                  { type: "Available", status: "True", reason: "MinimumReplicasAvailable" },
                  { type: "Progressing", status: "True", reason: "NewReplicaSetAvailable" },
                ],
              },
            },
          },
        ).catch(() => undefined),
      ),
    );
  }
}
