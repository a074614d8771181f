/**
 * The bench's own view of the cluster through the runtime's informer (one LIST, then a WATCH),
 * instead of re-listing every few hundred milliseconds. At 1,000 apps a re-list of every
 * Kustomization and Deployment twice a second cost the API server and the bench process more CPU
 * than the controllers under test spent, on the same two cores; a watch costs almost nothing and
 * sees a change when it happens rather than up to one poll interval later.
 */
import type { KubeConfig } from "@kubernetes/client-node";
import { apiListWatcher } from "../../src/runtime/informer/api-list-watcher.js";
import { Informer } from "../../src/runtime/informer/informer.js";
import type { InformerHandler, MetaObject } from "../../src/runtime/informer/types.js";
import type { ResourceRef } from "../../src/runtime/kube-request.js";

/** A started informer over `resource` that calls `handler`; stop it with `stop()`. */
export function watchObjects<T extends MetaObject>(
  kc: KubeConfig,
  resource: ResourceRef,
  handler: InformerHandler<T>,
  labelSelector?: string,
): Informer<T> {
  const informer = new Informer<T>({
    name: `bench ${resource.plural}`,
    source: apiListWatcher<T>(kc, { resource, labelSelector }),
    backoffMs: { initial: 100, max: 1000 },
  });
  informer.addHandler(handler);
  informer.start();
  return informer;
}

interface Reconciled extends MetaObject {
  readonly status?: {
    readonly conditions?: readonly { readonly type: string; readonly status: string }[];
    readonly lastAppliedRevision?: string;
  };
}

/** Ready=True with an applied revision: a Kustomization that has finished its first apply. */
const appliedAndReady = (k: Reconciled): boolean =>
  Boolean(k.status?.lastAppliedRevision) &&
  k.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") === true;

/**
 * Watches a namespace's Kustomizations and resolves {@link until} when `count` of them have
 * applied and are Ready, reporting progress through `log` at most every `logEveryMs`.
 */
export class KustomizationsReady {
  private readonly ready = new Set<string>();
  private readonly informer: Informer<Reconciled>;
  private waiter: { count: number; resolve: () => void } | undefined;
  private lastLog = 0;

  constructor(
    kc: KubeConfig,
    namespace: string,
    private readonly log: (ready: number) => void,
    private readonly logEveryMs = 5000,
  ) {
    const see = (k: Reconciled): void => this.see(k);
    this.informer = watchObjects<Reconciled>(
      kc,
      { apiVersion: "kustomize.toolkit.fluxcd.io/v1", plural: "kustomizations", namespace },
      { onAdd: see, onUpdate: (_old, k) => see(k), onDelete: (k) => this.forget(k) },
    );
  }

  /** Resolves when `count` are Ready; rejects after `timeoutMs` saying how many were. */
  async until(count: number, timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await new Promise<void>((resolve, reject) => {
        this.waiter = { count, resolve };
        timer = setTimeout(
          () =>
            reject(
              new Error(
                `bench: timed out after ${timeoutMs / 1000}s: ${this.ready.size}/${count} Kustomizations Ready`,
              ),
            ),
          timeoutMs,
        );
        this.settle();
      });
    } finally {
      clearTimeout(timer);
      this.log(this.ready.size);
    }
  }

  async stop(): Promise<void> {
    await this.informer.stop();
  }

  private see(k: Reconciled): void {
    const name = k.metadata?.name ?? "";
    if (appliedAndReady(k)) this.ready.add(name);
    else this.ready.delete(name);
    this.settle();
  }

  private forget(k: Reconciled): void {
    this.ready.delete(k.metadata?.name ?? "");
  }

  private settle(): void {
    const now = Date.now();
    if (now - this.lastLog >= this.logEveryMs) {
      this.lastLog = now;
      this.log(this.ready.size);
    }
    if (this.waiter && this.ready.size >= this.waiter.count) this.waiter.resolve();
  }
}
