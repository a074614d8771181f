/**
 * Watches ConfigMap deletions in a namespace from the test process, so a fault test can tell a
 * rightful prune from the deletion of an object that is still in Git (issue 14).
 */
import { Watch, type KubeConfig } from "@kubernetes/client-node";

/** One observed deletion. */
export interface Deletion {
  readonly name: string;
  readonly at: number;
}

/** A running deletion watch. */
export interface DeletionWatch {
  readonly deletions: Deletion[];
  stop(): void;
}

/** Starts watching deletions of ConfigMaps in `namespace` (reconnecting if the stream ends). */
export async function watchDeletions(kc: KubeConfig, namespace: string): Promise<DeletionWatch> {
  const deletions: Deletion[] = [];
  let stopped = false;
  let current: AbortController | undefined;
  const open = async (): Promise<void> => {
    if (stopped) return;
    current = await new Watch(kc).watch(
      `/api/v1/namespaces/${namespace}/configmaps`,
      {},
      (phase, obj: { metadata?: { name?: string } }) => {
        if (phase === "DELETED") deletions.push({ name: obj.metadata?.name ?? "", at: Date.now() });
      },
      () => void setTimeout(() => void open().catch(() => undefined), 500),
    );
  };
  await open();
  return {
    deletions,
    stop: () => {
      stopped = true;
      current?.abort();
    },
  };
}
