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
    readonly conditions?: readonly {
      readonly type: string;
      readonly status: string;
      readonly lastTransitionTime?: string;
    }[];
    readonly lastAppliedRevision?: string;
  };
}

const readyCondition = (k: Reconciled): { lastTransitionTime?: string } | undefined =>
  k.status?.conditions?.find((c) => c.type === "Ready" && c.status === "True");

/** What counts as ready, and how often to report progress. */
export interface ReadyOptions {
  /** Also require `status.lastAppliedRevision` (a Kustomization that finished its first apply). */
  readonly applied: boolean;
  /** Progress goes to the log at most this often (default 5 s). */
  readonly logEveryMs?: number;
}

/**
 * Watches a namespace's Kustomizations, keeping which are ready and the latest of their Ready
 * transitions; {@link until} resolves when `count` of them are, reporting progress through `log`
 * at most every `logEveryMs`.
 */
export class KustomizationsReady {
  private readonly ready = new Map<string, number>();
  private readonly informer: Informer<Reconciled>;
  private waiter: { count: number; resolve: () => void } | undefined;
  private lastLog = 0;

  constructor(
    kc: KubeConfig,
    namespace: string,
    private readonly log: (ready: number) => void,
    private readonly options: ReadyOptions = { applied: true },
  ) {
    const see = (k: Reconciled): void => this.see(k);
    this.informer = watchObjects<Reconciled>(
      kc,
      { apiVersion: "kustomize.toolkit.fluxcd.io/v1", plural: "kustomizations", namespace },
      { onAdd: see, onUpdate: (_old, k) => see(k), onDelete: (k) => this.forget(k) },
    );
  }

  /** How many are ready now. */
  get count(): number {
    return this.ready.size;
  }

  /** The latest Ready transition among those ready now (ms since the epoch; 0 when none). */
  get lastReadyAt(): number {
    let last = 0;
    for (const at of this.ready.values()) last = Math.max(last, at);
    return last;
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
    const ready = readyCondition(k);
    if (ready !== undefined && (!this.options.applied || Boolean(k.status?.lastAppliedRevision)))
      this.ready.set(name, Date.parse(ready.lastTransitionTime ?? "") || 0);
    else this.ready.delete(name);
    this.settle();
  }

  private forget(k: Reconciled): void {
    this.ready.delete(k.metadata?.name ?? "");
  }

  private settle(): void {
    const now = Date.now();
    if (now - this.lastLog >= (this.options.logEveryMs ?? 5000)) {
      this.lastLog = now;
      this.log(this.ready.size);
    }
    if (this.waiter && this.ready.size >= this.waiter.count) this.waiter.resolve();
  }
}
