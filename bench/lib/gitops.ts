import { join } from "node:path";
import type { KubeConfig } from "@kubernetes/client-node";
import {
  GIT_REPOSITORY,
  KUSTOMIZATION,
  RECONCILE_REQUEST_ANNOTATION,
  SHARD_LABEL,
} from "../../src/api/constants.js";
import { RECEIVER } from "../../src/api/receiver.js";
import { applyManifestDir, waitForCrdsEstablished } from "../../src/dev/apply-manifests.js";
import { kubeRequest } from "../../src/runtime/kube-request.js";
import { benchApply, type BenchObject, objectPath, readObject } from "./kube.js";

const installed = new WeakMap<KubeConfig, Set<string>>();

/**
 * Applies the CRDs in `dirs` once per cluster (and field manager) and waits for GitRepository and
 * Kustomization to be served.
 */
export async function installCrdsOnce(kc: KubeConfig, dirs: string[], fieldManager: string): Promise<void> {
  const done = installed.get(kc) ?? new Set<string>();
  installed.set(kc, done);
  if (done.has(fieldManager)) return;
  for (const dir of dirs) await applyManifestDir(kc, dir, fieldManager);
  await waitForCrdsEstablished(kc, [GIT_REPOSITORY.crdName, KUSTOMIZATION.crdName, RECEIVER.crdName]);
  done.add(fieldManager);
}

/** Installs mooring's CRDs (schema-identical to Flux's, so they serve both) once per cluster. */
export function ensureCrds(kc: KubeConfig, repoRoot: string): Promise<void> {
  return installCrdsOnce(kc, [join(repoRoot, "crds")], "mooring-bench");
}

/** A namespace object. */
export const namespace = (name: string): BenchObject => ({
  apiVersion: "v1",
  kind: "Namespace",
  metadata: { name },
});

/** A branch-tracking GitRepository. */
export function gitRepository(ns: string, name: string, url: string, interval = "1h"): BenchObject {
  return {
    apiVersion: GIT_REPOSITORY.apiVersion,
    kind: GIT_REPOSITORY.kind,
    metadata: { name, namespace: ns },
    spec: { url, interval, ref: { branch: "main" } },
  };
}

/** What a bench Kustomization varies. */
export interface KustomizationOptions {
  source: string;
  path: string;
  wait?: boolean;
  interval?: string;
  timeout?: string;
  targetNamespace?: string;
}

/** A Kustomization (prune: true) of `path` in the GitRepository `source` of the same namespace. */
export function kustomization(ns: string, name: string, opts: KustomizationOptions): BenchObject {
  return {
    apiVersion: KUSTOMIZATION.apiVersion,
    kind: KUSTOMIZATION.kind,
    metadata: { name, namespace: ns },
    spec: {
      interval: opts.interval ?? "1h",
      timeout: opts.timeout ?? "5m",
      path: opts.path,
      prune: true,
      wait: opts.wait ?? false,
      sourceRef: { kind: "GitRepository", name: opts.source },
      ...(opts.targetNamespace ? { targetNamespace: opts.targetNamespace } : {}),
    },
  };
}

/** The status fields the bench waits on. */
export interface FluxStatus {
  ready: boolean;
  readyMessage: string;
  revision: string;
  lastHandledReconcileAt: string;
}

interface WithStatus {
  status?: {
    conditions?: { type: string; status: string; message?: string }[];
    lastAppliedRevision?: string;
    artifact?: { revision?: string };
    lastHandledReconcileAt?: string;
  };
}

/** Ready, the applied (Kustomization) or artifact (GitRepository) revision, and the handled request. */
export async function fluxStatus(kc: KubeConfig, obj: BenchObject): Promise<FluxStatus> {
  const live = await readObject<WithStatus>(kc, obj);
  const ready = live?.status?.conditions?.find((c) => c.type === "Ready");
  return {
    ready: ready?.status === "True",
    readyMessage: ready?.message ?? "",
    revision: live?.status?.lastAppliedRevision ?? live?.status?.artifact?.revision ?? "",
    lastHandledReconcileAt: live?.status?.lastHandledReconcileAt ?? "",
  };
}

/** Sets `reconcile.fluxcd.io/requestedAt`; returns the token to wait for. */
export async function requestReconcile(kc: KubeConfig, obj: BenchObject): Promise<string> {
  const token = new Date().toISOString();
  await kubeRequest(kc, objectPath(obj), {
    method: "PATCH",
    body: { metadata: { annotations: { [RECONCILE_REQUEST_ANNOTATION]: token } } },
  });
  return token;
}

/** Creates (or updates) each object in order. */
export async function applyAll(kc: KubeConfig, objs: BenchObject[]): Promise<void> {
  for (const o of objs) await benchApply(kc, o);
}

/**
 * Labels a Flux object with a shard key. Each scenario's controller runs with
 * `--watch-label-selector` on its own key, so objects left by earlier scenarios in the shared
 * cluster are not reconciled in the middle of a measurement.
 */
export function sharded(obj: BenchObject, shard: string): BenchObject {
  return { ...obj, metadata: { ...obj.metadata, labels: { [SHARD_LABEL]: shard } } };
}

/** The controller flags that go with {@link sharded}. */
export const shardArgs = (shard: string): string[] => ["--watch-label-selector", `${SHARD_LABEL}=${shard}`];
