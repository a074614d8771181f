import type { KubeConfig } from "@kubernetes/client-node";
import { kubeRequest } from "../../src/runtime/kube-request.js";
import type { Informer } from "../../src/runtime/informer/informer.js";
import { Semaphore } from "../../src/runtime/semaphore.js";
import { watchObjects } from "./watch.js";

interface Deployment {
  metadata: { name: string; namespace: string; generation?: number };
  status?: { observedGeneration?: number };
}

/** The status a real deployment controller writes for 0 replicas that are all available. */
const availableStatus = (generation: number | undefined): Record<string, unknown> => ({
  observedGeneration: generation,
  replicas: 0,
  updatedReplicas: 0,
  readyReplicas: 0,
  availableReplicas: 0,
  conditions: [
    { type: "Available", status: "True", reason: "MinimumReplicasAvailable" },
    { type: "Progressing", status: "True", reason: "NewReplicaSetAvailable" },
  ],
});

/**
 * The local control plane runs no deployment controller, so a Deployment never reports that it
 * observed its generation and `wait: true` would never pass. This stands in for it: it watches the
 * selected Deployments and, when one's generation is ahead of its observedGeneration, writes the
 * status a real controller writes for 0 replicas. Both controller sets under test see the same
 * stand-in. A failed write is retried after a second (a write that lands triggers no retry: its
 * own MODIFIED event shows the generation observed).
 */
export class DeploymentStatusWriter {
  private stopped = false;
  private readonly informer: Informer<Deployment>;
  private readonly writes = new Semaphore(16);
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly kc: KubeConfig,
    labelSelector: string,
  ) {
    const check = (d: Deployment): void => this.check(d);
    this.informer = watchObjects<Deployment>(
      kc,
      { apiVersion: "apps/v1", plural: "deployments" },
      { onAdd: check, onUpdate: (_old, d) => check(d) },
      labelSelector,
    );
  }

  /** Stops watching and waits for the writes under way. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.informer.stop();
    await Promise.all(this.pending);
  }

  private check(d: Deployment): void {
    if (this.stopped || d.status?.observedGeneration === d.metadata.generation) return;
    const write = this.write(d).finally(() => this.pending.delete(write));
    this.pending.add(write);
  }

  private async write(d: Deployment): Promise<void> {
    const { namespace, name, generation } = d.metadata;
    try {
      await kubeRequest(this.kc, `/apis/apps/v1/namespaces/${namespace}/deployments/${name}/status`, {
        method: "PATCH",
        body: { status: availableStatus(generation) },
        limiter: this.writes,
      });
    } catch {
      await new Promise((r) => setTimeout(r, 1000));
      const current = this.informer.store.get(`${namespace}/${name}`);
      if (current) this.check(current);
    }
  }
}
