/**
 * Reads and writes coordination.k8s.io/v1 Leases for leader election. Times are written as
 * `MicroTime` (six fractional digits), which the API server requires and the generated client's
 * serialiser does not guarantee, hence raw JSON requests.
 */
import type { KubeConfig } from "./kubeconfig/index.js";
import { isConflict, isNotFound, kubeRequest, resourcePath } from "./kube-request.js";
import type { Semaphore } from "./semaphore.js";

/** The spec fields leader election uses. */
export interface LeaseRecord {
  readonly holderIdentity: string;
  readonly leaseDurationSeconds: number;
  readonly acquireTime?: string;
  readonly renewTime?: string;
  readonly leaseTransitions: number;
}

/** A lease as read, with the resourceVersion for optimistic updates. */
export interface StoredLease {
  readonly record: LeaseRecord;
  readonly resourceVersion: string;
}

/** Lease storage; `create`/`update` return false on a conflict (someone else wrote first). */
export interface LeaseClient {
  get(): Promise<StoredLease | undefined>;
  create(record: LeaseRecord): Promise<boolean>;
  update(record: LeaseRecord, resourceVersion: string): Promise<boolean>;
  /** Human-readable lease name for logs. */
  readonly describe: string;
}

/** `MicroTime` text: RFC 3339 with microseconds. */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
}

interface LeaseJson {
  metadata?: { resourceVersion?: string };
  spec?: Partial<LeaseRecord>;
}

/** A {@link LeaseClient} for Lease `namespace/name` on the cluster of `kc`. */
export function apiLeaseClient(
  kc: KubeConfig,
  lease: { namespace: string; name: string },
  limiter?: Semaphore,
  /** Per-request deadline, so a hung connection cannot stall a campaign (default 5 s). */
  requestTimeoutMs = 5000,
): LeaseClient {
  const opts = (): { limiter: Semaphore | undefined; signal: AbortSignal } => ({
    limiter,
    signal: AbortSignal.timeout(requestTimeoutMs),
  });
  const ref = { apiVersion: "coordination.k8s.io/v1", plural: "leases", namespace: lease.namespace };
  const one = resourcePath({ ...ref, name: lease.name });
  const body = (record: LeaseRecord, resourceVersion?: string): unknown => ({
    apiVersion: "coordination.k8s.io/v1",
    kind: "Lease",
    metadata: {
      name: lease.name,
      namespace: lease.namespace,
      ...(resourceVersion ? { resourceVersion } : {}),
    },
    spec: record,
  });
  const writeOk = (err: unknown): boolean => {
    if (isConflict(err)) return false;
    throw err;
  };
  return {
    describe: `${lease.namespace}/${lease.name}`,
    async get() {
      try {
        const json = await kubeRequest<LeaseJson>(kc, one, opts());
        const spec = json.spec ?? {};
        return {
          resourceVersion: json.metadata?.resourceVersion ?? "",
          record: {
            ...spec,
            holderIdentity: spec.holderIdentity ?? "",
            leaseDurationSeconds: spec.leaseDurationSeconds ?? 0,
            leaseTransitions: spec.leaseTransitions ?? 0,
          },
        };
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
      }
    },
    create: (record) =>
      kubeRequest(kc, resourcePath(ref), { method: "POST", body: body(record), ...opts() }).then(
        () => true,
        writeOk,
      ),
    update: (record, rv) =>
      kubeRequest(kc, one, { method: "PUT", body: body(record, rv), ...opts() }).then(() => true, writeOk),
  };
}
