/**
 * OCIRepository objects in the integration tests: apply one in the test's namespace with the
 * test's shard label, wait until it is Ready at a revision, request a reconcile and wait until it
 * is handled, and write the dockerconfigjson Secret a `secretRef` names.
 */
import type { KubernetesObject } from "@kubernetes/client-node";
import { stringify } from "yaml";
import { OCI_REPOSITORY } from "../../src/api/index.js";
import type { KubeObject } from "../../src/util/kube-object.js";
import { namespacedObjects, type NamespacedObjects } from "./flux-objects.js";
import { eventually, kubectlOk, randomSuffix, waitForObject } from "./kube.js";

/** An OCIRepository as the tests read it back. */
export type OciRepo = KubernetesObject & {
  metadata: KubeObject["metadata"];
  status?: {
    observedGeneration?: number;
    lastHandledReconcileAt?: string;
    conditions?: { type: string; status: string; reason: string; message: string }[];
    artifact?: {
      url: string;
      path: string;
      revision: string;
      digest: string;
      size: number;
      metadata?: Record<string, string>;
    };
    observedLayerSelector?: unknown;
  };
};

/** Helpers over the OCIRepositories of one test file. */
export interface OciRepositories {
  readonly ref: NamespacedObjects["ref"];
  /** Applies an OCIRepository named `name`: `defaults` (interval 10m unless given), then `spec`. */
  readonly apply: NamespacedObjects["apply"];
  /** Waits until Ready=True for the current generation, at `revision` when given. */
  readonly ready: (name: string, revision?: string) => Promise<OciRepo>;
  /** Sets `reconcile.fluxcd.io/requestedAt` and waits until the controller has handled it. */
  readonly requestReconcile: (name: string) => Promise<OciRepo>;
  /** A `kubernetes.io/dockerconfigjson` Secret with one registry's credentials. */
  readonly dockerSecret: (name: string, host: string, user: string, password: string) => Promise<void>;
}

export function ociRepositories(
  ns: () => string,
  labels: Readonly<Record<string, string>>,
  defaults: Readonly<Record<string, unknown>> = {},
): OciRepositories {
  const { ref, apply: applyRepo } = namespacedObjects(OCI_REPOSITORY, ns, labels, {
    interval: "10m",
    ...defaults,
  });
  const apply = async (obj: Record<string, unknown>): Promise<void> => {
    await kubectlOk(["apply", "-f", "-"], stringify(obj));
  };
  return {
    ref,
    apply: applyRepo,
    ready: (name, revision) =>
      waitForObject<OciRepo>(ref(name), (o: OciRepo) => {
        const c = o.status?.conditions?.find((x) => x.type === "Ready");
        return (
          c?.status === "True" &&
          (revision === undefined || o.status?.artifact?.revision === revision) &&
          o.status?.observedGeneration === o.metadata.generation
        );
      }),
    requestReconcile: async (name) => {
      const at = `${Date.now()}-${randomSuffix()}`;
      await kubectlOk([
        "annotate",
        "--overwrite",
        "-n",
        ns(),
        "ocirepository",
        name,
        `reconcile.fluxcd.io/requestedAt=${at}`,
      ]);
      return waitForObject<OciRepo>(ref(name), (o: OciRepo) => o.status?.lastHandledReconcileAt === at);
    },
    dockerSecret: (name, host, user, password) =>
      apply({
        apiVersion: "v1",
        kind: "Secret",
        type: "kubernetes.io/dockerconfigjson",
        metadata: { name, namespace: ns() },
        stringData: {
          ".dockerconfigjson": JSON.stringify({ auths: { [host]: { username: user, password } } }),
        },
      }),
  };
}

/**
 * The registry writes its access log line just after the response: waits until the log has, after
 * line `from`, a line containing `match`, and returns those lines.
 */
export function registryLogged(
  registry: { requests(): readonly string[] },
  from: number,
  match: string,
): Promise<string[]> {
  return eventually(`the registry's access log line for ${match}`, async () => {
    const lines = registry
      .requests()
      .slice(from)
      .filter((l) => l.includes(match));
    return lines.length > 0 ? lines : undefined;
  });
}
