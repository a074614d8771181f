import type { KubeConfig } from "@kubernetes/client-node";
import { kubeRequest } from "../../src/runtime/kube-request.js";
import { percentile } from "./stats.js";

interface Obj {
  metadata: {
    name: string;
    creationTimestamp?: string;
    managedFields?: { subresource?: string; time?: string }[];
  };
  status?: {
    artifact?: { lastUpdateTime?: string };
    conditions?: { type: string; status: string; lastTransitionTime?: string }[];
  };
}

const at = (t: string | undefined): number | undefined => (t ? Date.parse(t) : undefined);

const readyAt = (o: Obj): number | undefined =>
  at(o.status?.conditions?.find((c) => c.type === "Ready" && c.status === "True")?.lastTransitionTime);

/** When the status subresource was last written (the bench's stand-in deployment controller). */
const statusWrittenAt = (o: Obj): number | undefined =>
  at(o.metadata.managedFields?.find((f) => f.subresource === "status")?.time);

async function list(kc: KubeConfig, path: string): Promise<Map<string, Obj>> {
  const items = (await kubeRequest<{ items: Obj[] }>(kc, path)).items;
  return new Map(items.map((o) => [o.metadata.name, o]));
}

/**
 * Where an S1 round's time went, per app, from the objects' own timestamps (1 s resolution):
 * creation → artifact (source), artifact → Deployment created (fetch, build, apply, queueing),
 * Deployment created → its status written by the bench's stand-in, status written → Kustomization
 * Ready (health wait noticing it, status write). Median and p95 of each, in seconds.
 */
export async function s1Phases(kc: KubeConfig, ns: string): Promise<string> {
  const base = `/apis/source.toolkit.fluxcd.io/v1/namespaces/${ns}/gitrepositories`;
  const [repos, kss, deployments] = await Promise.all([
    list(kc, base),
    list(kc, `/apis/kustomize.toolkit.fluxcd.io/v1/namespaces/${ns}/kustomizations`),
    list(kc, `/apis/apps/v1/namespaces/${ns}/deployments`),
  ]);
  const phases: Record<string, number[]> = {
    source: [],
    apply: [],
    "status stand-in": [],
    "health+status": [],
  };
  for (const [name, ks] of kss) {
    const repo = repos.get(name);
    const deployment = deployments.get(name);
    const c = at(ks.metadata.creationTimestamp);
    const a = at(repo?.status?.artifact?.lastUpdateTime);
    const d = at(deployment?.metadata.creationTimestamp);
    const s = deployment ? statusWrittenAt(deployment) : undefined;
    const r = readyAt(ks);
    if (c === undefined || a === undefined || d === undefined || s === undefined || r === undefined) continue;
    phases.source?.push(a - c);
    phases.apply?.push(d - a);
    phases["status stand-in"]?.push(s - d);
    phases["health+status"]?.push(r - s);
  }
  const cell = (v: number[]): string =>
    `${(percentile(v, 50) / 1000).toFixed(0)}/${(percentile(v, 95) / 1000).toFixed(0)} s`;
  return Object.entries(phases)
    .map(([k, v]) => `${k} ${v.length > 0 ? cell(v) : "n/a"}`)
    .join(", ");
}
