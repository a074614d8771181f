/**
 * Wiring of the Receiver controller on the runtime's Manager, beside GitRepository and
 * Kustomization: an informer over Receivers (indexed by `status.webhookPath` for the webhook
 * server), Flux's default predicate, the reconciler, and the webhook server reading the same cache.
 *
 * The Receiver CRD is optional: without it (an install that predates it, or one that leaves
 * webhooks out) the controller logs one line saying so and runs without Receivers, rather than
 * waiting forever for a cache that cannot sync.
 */
import type { KubeConfig } from "../runtime/kubeconfig/index.js";
import type { Logger } from "pino";
import { RECEIVER, type Receiver } from "../api/receiver.js";
import type { EventSinkFn } from "../runtime/events.js";
import { involvedObjectOf } from "../runtime/events.js";
import { apiListWatcher } from "../runtime/informer/api-list-watcher.js";
import { FreshReads } from "../runtime/informer/fresh-reads.js";
import { Informer } from "../runtime/informer/informer.js";
import { withoutManagedFields } from "../runtime/informer/without-managed-fields.js";
import { fluxDefaultPredicate } from "../runtime/informer/predicates.js";
import { isNotFound, kubeRequest, orUndefined, resourcePath } from "../runtime/kube-request.js";
import type { Manager } from "../runtime/manager.js";
import type { BackoffOptions } from "../runtime/queue/rate-limiter.js";
import { formatKey, type ObjectKey } from "../runtime/reconciler.js";
import { readSecretData } from "../runtime/secret-data.js";
import { patchObjectStatus } from "../runtime/status-patch.js";
import { ReceiverReconciler, type ReceiverClient } from "./reconciler.js";
import type { ListeningServer } from "../runtime/listen.js";
import { startReceiverServer } from "./server.js";

/** Index of the Receiver cache: `status.webhookPath`. */
const WEBHOOK_PATH_INDEX = "webhookPath";

/** What the controller is built from. */
export interface ReceiverControllerDeps {
  readonly kubeConfig: KubeConfig;
  readonly manager: Manager;
  /** `--receiver-addr`. */
  readonly address: string;
  readonly recordEvent: EventSinkFn;
  readonly log: Logger;
  /** Ends the wait for an API server that does not answer at startup. */
  readonly signal?: AbortSignal;
  readonly options: {
    readonly noCrossNamespaceRefs: boolean;
    readonly concurrency?: number;
    readonly jitterPercent?: number;
    readonly backoff?: BackoffOptions;
    readonly labelSelector?: string;
    readonly namespace?: string;
  };
}

/** The running webhook side. */
export interface ReceiverRuntime {
  /** Port of the webhook server (useful with `--receiver-addr=127.0.0.1:0`). */
  readonly port: number;
  close(): Promise<void>;
}

/** First and longest wait between attempts to ask the API server whether Receivers are served. */
const DISCOVERY_RETRY_MS = { first: 500, max: 10_000 } as const;

/**
 * True when the API server serves Receivers (the CRD is installed and established). An API server
 * that does not answer yet is asked again with backoff, as the informers would, so a controller
 * started before its API server still comes up with Receivers; `signal` ends the wait.
 */
export async function receiverApiServed(kc: KubeConfig, log: Logger, signal?: AbortSignal): Promise<boolean> {
  for (let delay: number = DISCOVERY_RETRY_MS.first; ; delay = Math.min(delay * 2, DISCOVERY_RETRY_MS.max)) {
    try {
      const list = await kubeRequest<{ resources?: { name: string }[] }>(kc, `/apis/${RECEIVER.apiVersion}`);
      return (list.resources ?? []).some((r) => r.name === RECEIVER.plural);
    } catch (err) {
      if (isNotFound(err)) return false;
      if (signal?.aborted) throw err;
      log.warn(
        { error: (err as Error).message, retryInMs: delay },
        "cannot ask the API server whether Receivers are served; retrying",
      );
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}

function apiClient(kc: KubeConfig, informer: Informer<Receiver>, recordEvent: EventSinkFn): ReceiverClient {
  const path = (key: ObjectKey): string =>
    resourcePath({ apiVersion: RECEIVER.apiVersion, plural: RECEIVER.plural, ...key });
  const keyOf = (obj: Receiver): ObjectKey => ({
    namespace: obj.metadata.namespace ?? "",
    name: obj.metadata.name ?? "",
  });
  const cache = new FreshReads(informer.store);
  informer.addHandler(cache.handler);
  return {
    get: (key) => cache.read(formatKey(key), () => orUndefined(kubeRequest<Receiver>(kc, path(key)))),
    readSecret: (key, signal) => readSecretData(kc, key, signal),
    patchStatus: async (obj, patch) => {
      cache.wrote(formatKey(keyOf(obj)), await patchObjectStatus(kc, path(keyOf(obj)), patch));
    },
    setFinalizers: async (obj, finalizers) => {
      const body = {
        metadata: { finalizers: [...finalizers], resourceVersion: obj.metadata.resourceVersion },
      };
      const written = await orUndefined(
        kubeRequest<Receiver>(kc, path(keyOf(obj)), { method: "PATCH", body }),
      );
      cache.wrote(formatKey(keyOf(obj)), written?.metadata.resourceVersion);
    },
    emitEvent: (obj, event) => recordEvent(involvedObjectOf(obj), event),
  };
}

/**
 * Registers the Receiver controller and starts the webhook server; resolves to undefined (after
 * logging why) when the Receiver CRD is not installed.
 */
export async function registerReceiverController(
  deps: ReceiverControllerDeps,
): Promise<ReceiverRuntime | undefined> {
  const { kubeConfig: kc, options, log } = deps;
  if (!(await receiverApiServed(kc, log, deps.signal))) {
    log.warn(
      `the Receiver CRD (${RECEIVER.crdName}) is not installed: the Receiver controller and the webhook server on ${deps.address} are off; apply crds/ (or deploy/) and restart to enable them`,
    );
    return undefined;
  }
  const informer = new Informer<Receiver>({
    name: RECEIVER.crdName,
    transform: withoutManagedFields,
    source: apiListWatcher<Receiver>(kc, {
      resource: {
        apiVersion: RECEIVER.apiVersion,
        plural: RECEIVER.plural,
        ...(options.namespace ? { namespace: options.namespace } : {}),
      },
      ...(options.labelSelector ? { labelSelector: options.labelSelector } : {}),
    }),
    indexers: { [WEBHOOK_PATH_INDEX]: (r) => (r.status?.webhookPath ? [r.status.webhookPath] : []) },
    log,
  });
  const controller = deps.manager.addController({
    name: RECEIVER.singular,
    kind: RECEIVER.kind,
    reconciler: new ReceiverReconciler(apiClient(kc, informer, deps.recordEvent), options),
    concurrency: options.concurrency ?? 2,
    ...(options.backoff ? { backoff: options.backoff } : {}),
  });
  controller.watch(informer, { predicate: fluxDefaultPredicate });
  const server: ListeningServer = await startReceiverServer(deps.address, {
    kubeConfig: kc,
    byWebhookPath: (p) => informer.store.byIndex(WEBHOOK_PATH_INDEX, p)[0],
    synced: () => informer.hasSynced(),
    readSecret: (namespace, name, signal) => readSecretData(kc, { namespace, name }, signal),
    options: { noCrossNamespaceRefs: options.noCrossNamespaceRefs },
    log: log.child({ component: "receiver-server" }),
  });
  log.info({ address: deps.address, port: server.port }, "Receiver webhook server listening");
  return server;
}
