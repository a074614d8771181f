import { execFile } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import type { KubeConfig } from "@kubernetes/client-node";
import { kubeRequest } from "../../src/runtime/kube-request.js";

const run = promisify(execFile);

/** A Kubernetes object as the bench writes it. */
export interface BenchObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    annotations?: Record<string, string>;
    labels?: Record<string, string>;
  };
  spec?: unknown;
  [key: string]: unknown;
}

const PLURALS: Record<string, string> = {
  Namespace: "namespaces",
  GitRepository: "gitrepositories",
  OCIRepository: "ocirepositories",
  Kustomization: "kustomizations",
  ConfigMap: "configmaps",
  Deployment: "deployments",
};

/** REST path of an object of a kind the bench creates. */
export function objectPath(o: Pick<BenchObject, "apiVersion" | "kind" | "metadata">): string {
  const plural = PLURALS[o.kind];
  if (!plural) throw new Error(`bench: no path for kind ${o.kind}`);
  const base = o.apiVersion.includes("/") ? `/apis/${o.apiVersion}` : `/api/${o.apiVersion}`;
  const ns = o.metadata.namespace ? `/namespaces/${o.metadata.namespace}` : "";
  return `${base}${ns}/${plural}/${o.metadata.name}`;
}

/** Server-side apply with the bench's own field manager (never the controllers'). */
export async function benchApply(kc: KubeConfig, obj: BenchObject): Promise<void> {
  await kubeRequest(kc, objectPath(obj), {
    method: "PATCH",
    body: obj,
    contentType: "application/apply-patch+yaml",
    query: { fieldManager: "mooring-bench", force: true },
  });
}

/** Reads an object; undefined when absent. */
export async function readObject<T>(kc: KubeConfig, obj: BenchObject): Promise<T | undefined> {
  try {
    return await kubeRequest<T>(kc, objectPath(obj));
  } catch {
    return undefined;
  }
}

/** Polls `probe` every `everyMs` until it returns true; throws after `timeoutMs`. */
export async function pollUntil(
  what: string,
  probe: () => Promise<boolean>,
  timeoutMs: number,
  everyMs = 100,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline)
      throw new Error(`bench: timed out after ${timeoutMs / 1000}s waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** Request counts by verb, summed over the given resources. */
export type VerbCounts = Record<string, number>;

/**
 * kube-apiserver's `apiserver_request_total` summed by verb over `resources`: the bench takes
 * the difference before and after a step to count what a controller asked for.
 */
export function requestCounts(kubeconfigPath: string, resources: ReadonlySet<string>): Promise<VerbCounts> {
  return requestCountsBy(kubeconfigPath, (resource, verb) => (resources.has(resource) ? verb : undefined));
}

/**
 * kube-apiserver's `apiserver_request_total` summed under the key `keyOf` gives each series
 * (series it gives no key are left out).
 */
export async function requestCountsBy(
  kubeconfigPath: string,
  keyOf: (resource: string, verb: string) => string | undefined,
): Promise<VerbCounts> {
  const { stdout } = await run("kubectl", ["--kubeconfig", kubeconfigPath, "get", "--raw", "/metrics"], {
    maxBuffer: 256 * 1024 * 1024,
  });
  const counts: VerbCounts = {};
  for (const line of stdout.split("\n")) {
    if (!line.startsWith("apiserver_request_total{")) continue;
    const resource = /[{,]resource="([^"]*)"/.exec(line)?.[1] ?? "";
    const verb = /[{,]verb="([^"]*)"/.exec(line)?.[1] ?? "";
    const key = keyOf(resource, verb);
    if (key === undefined) continue;
    const value = Number(line.slice(line.lastIndexOf(" ") + 1));
    counts[key] = (counts[key] ?? 0) + value;
  }
  return counts;
}

/** `after - before`, verbs with no change left out. */
export function countDelta(before: VerbCounts, after: VerbCounts): VerbCounts {
  const out: VerbCounts = {};
  for (const [verb, n] of Object.entries(after)) {
    const d = n - (before[verb] ?? 0);
    if (d > 0) out[verb] = d;
  }
  return out;
}

/** `GET 1500, PATCH 3` */
export function formatCounts(c: VerbCounts): string {
  const parts = Object.entries(c).map(([verb, n]) => `${verb} ${n}`);
  return parts.length ? parts.join(", ") : "none";
}

/** Total of a count map. */
export const total = (c: VerbCounts): number => Object.values(c).reduce((a, b) => a + b, 0);

/** `data.value` of the ConfigMap `pushed` in `ns` (what S7 and S8 push), undefined while absent. */
export async function pushedValue(kc: KubeConfig, ns: string): Promise<string | undefined> {
  const cm = await kubeRequest<{ data?: Record<string, string> }>(
    kc,
    `/api/v1/namespaces/${ns}/configmaps/pushed`,
  ).catch(() => undefined);
  return cm?.data?.["value"];
}
