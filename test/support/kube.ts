/**
 * Helpers for integration tests against the real control plane started by global-setup.ts.
 * Tests isolate by namespace: `useTestNamespace()` creates a fresh one per test file and deletes it
 * afterwards (the real namespace controller then removes everything in it).
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { CoreV1Api, KubeConfig, KubernetesObjectApi, type KubernetesObject } from "@kubernetes/client-node";
import { afterAll, beforeAll, inject } from "vitest";
import { eventually, type EventuallyOptions } from "./eventually.js";

export { eventually, type EventuallyOptions };

/** Path of the kubeconfig of the test control plane. */
export function kubeconfigPath(): string {
  return inject("kubeconfig");
}

/** A KubeConfig for the test control plane (admin credentials). */
export function testKubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath());
  return kc;
}

/** A random DNS-1123 suffix. */
export function randomSuffix(bytes = 3): string {
  return randomBytes(bytes).toString("hex");
}

/**
 * Creates `<prefix>-<random>` before the file's tests and deletes it after them. Returns a getter
 * because the name is only known once beforeAll has run.
 */
export function useTestNamespace(prefix: string): () => string {
  let name = "";
  beforeAll(async () => {
    name = `${prefix}-${randomSuffix()}`;
    await testKubeConfig()
      .makeApiClient(CoreV1Api)
      .createNamespace({ body: { metadata: { name } } });
  });
  afterAll(async () => {
    if (!name) return;
    await testKubeConfig()
      .makeApiClient(CoreV1Api)
      .deleteNamespace({ name })
      .catch(() => undefined);
  });
  return () => name;
}

/** Result of {@link kubectl}. */
export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs /usr/bin/kubectl against the test control plane. */
export function kubectl(args: string[], input?: string): Promise<KubectlResult> {
  return new Promise((resolve) => {
    const child = spawn("kubectl", args, { env: { ...process.env, KUBECONFIG: kubeconfigPath() } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
    child.stdin.end(input ?? "");
  });
}

/** {@link kubectl} that throws with kubectl's stderr when it fails; returns stdout. */
export async function kubectlOk(args: string[], input?: string): Promise<string> {
  const res = await kubectl(args, input);
  if (res.code !== 0) throw new Error(`kubectl ${args.join(" ")}: ${res.stderr}`);
  return res.stdout;
}

/** Merges `status` into an object through its status subresource, as its controller would. */
export async function patchStatus(
  resource: string,
  name: string,
  namespace: string,
  status: Record<string, unknown>,
): Promise<void> {
  const patch = JSON.stringify({ status });
  await kubectlOk([
    "patch",
    resource,
    name,
    "-n",
    namespace,
    "--subresource=status",
    "--type=merge",
    "-p",
    patch,
  ]);
}

/** Reference to an object for {@link waitForObject}. */
export interface ObjectRef {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
}

/** Reads an object, or undefined when it does not exist. */
export async function readObject(ref: ObjectRef): Promise<KubernetesObject | undefined> {
  const api = KubernetesObjectApi.makeApiClient(testKubeConfig());
  try {
    return await api.read({
      apiVersion: ref.apiVersion,
      kind: ref.kind,
      metadata: { name: ref.name, namespace: ref.namespace },
    });
  } catch (err) {
    if ((err as { code?: number }).code === 404) return undefined;
    throw err;
  }
}

/** Waits until the object satisfies `predicate`; on timeout the error prints the object. */
export async function waitForObject<T extends KubernetesObject>(
  ref: ObjectRef,
  predicate: (obj: T) => boolean,
  options: EventuallyOptions & { what?: string } = {},
): Promise<T> {
  const what = options.what ?? `${ref.kind} ${ref.namespace ?? ""}/${ref.name}`;
  return eventually(
    what,
    async () => {
      const obj = (await readObject(ref)) as T | undefined;
      return obj && predicate(obj) ? obj : undefined;
    },
    () => readObject(ref),
    options,
  );
}

/** A status condition as Kubernetes writes it. */
export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  observedGeneration?: number;
}

/** The condition of `type` on an object, if any. */
export function conditionOf(obj: KubernetesObject, type: string): Condition | undefined {
  const conditions = (obj as { status?: { conditions?: Condition[] } }).status?.conditions ?? [];
  return conditions.find((c) => c.type === type);
}

/** Waits until the object has condition `type` with `status` (and, if given, `reason`). */
export function waitForCondition<T extends KubernetesObject>(
  ref: ObjectRef,
  type: string,
  status: "True" | "False" | "Unknown",
  options: EventuallyOptions & { reason?: string } = {},
): Promise<T> {
  return waitForObject<T>(
    ref,
    (obj) => {
      const c = conditionOf(obj, type);
      return c?.status === status && (options.reason === undefined || c.reason === options.reason);
    },
    {
      ...options,
      what: `${ref.kind} ${ref.namespace ?? ""}/${ref.name} condition ${type}=${status}${options.reason ? ` (${options.reason})` : ""}`,
    },
  );
}

/**
 * Runs a CLI until its output matches `pattern` (or 30 s pass) and returns the last run, for the
 * caller to assert on. A status listing can catch a redundant reconcile in flight (a requeue
 * scheduled while the source was not ready yet fires after the object went Ready; Flux does the
 * same), which shows Ready Unknown "Reconciliation in progress" for a moment.
 */
export async function runUntilMatches<T extends { code: number; out: string }>(
  run: () => Promise<T>,
  pattern: RegExp,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await run();
    if ((result.code === 0 && pattern.test(result.out)) || Date.now() > deadline) return result;
    await sleep(250);
  }
}

/**
 * The status the deployment controller writes for one available replica: tests write it
 * themselves, as the local control plane runs no kubelet and no workload controllers.
 */
export function availableDeploymentStatus(observedGeneration?: number): Record<string, unknown> {
  return {
    ...(observedGeneration === undefined ? {} : { observedGeneration }),
    replicas: 1,
    updatedReplicas: 1,
    readyReplicas: 1,
    availableReplicas: 1,
    conditions: [
      { type: "Available", status: "True", reason: "MinimumReplicasAvailable", message: "ok" },
      { type: "Progressing", status: "True", reason: "NewReplicaSetAvailable", message: "ok" },
    ],
  };
}
