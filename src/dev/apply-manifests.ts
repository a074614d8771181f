import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { parseAllDocuments } from "yaml";
import { manifestApplier } from "../apply/cluster/index.js";
import type { KubeObject } from "../apply/types.js";
import { kubeRequest, resourcePath } from "../runtime/kube-request.js";
import type { KubeConfig } from "../runtime/kubeconfig/index.js";

/**
 * Server-side applies every document of every `*.yaml` file in `dir` (not recursive; kustomize
 * `Kustomization` files are skipped) with forced ownership. Dev tooling only: the quick start and
 * the test setup use it to install the CRDs.
 */
export async function applyManifestDir(kc: KubeConfig, dir: string, fieldManager: string): Promise<string[]> {
  const applier = manifestApplier(kc);
  const applied: string[] = [];
  try {
    for (const obj of await manifestsIn(dir)) {
      await applier.apply(obj, { fieldManager });
      applied.push(`${obj.kind}/${obj.metadata.name ?? ""}`);
    }
  } finally {
    await applier.close();
  }
  return applied;
}

/** The objects of every `*.yaml` file in `dir`, by file name, without kustomize's own files. */
async function manifestsIn(dir: string): Promise<KubeObject[]> {
  const out: KubeObject[] = [];
  for (const file of (await readdir(dir)).filter((f) => f.endsWith(".yaml")).sort()) {
    for (const doc of parseAllDocuments(await readFile(join(dir, file), "utf8"))) {
      const obj = doc.toJS() as KubeObject | null;
      if (obj?.kind && obj.kind !== "Kustomization") out.push(obj);
    }
  }
  return out;
}

/** Waits until the named CRDs report Established=True. */
export async function waitForCrdsEstablished(
  kc: KubeConfig,
  names: string[],
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const name of names) {
    for (;;) {
      const crd = await readCrd(kc, name);
      if (crd.status?.conditions?.some((c) => c.type === "Established" && c.status === "True")) break;
      if (Date.now() > deadline)
        throw new Error(`CRD ${name} was not Established after ${timeoutMs / 1000}s`);
      await sleep(200);
    }
  }
}

/** The conditions of CustomResourceDefinition `name`; throws the API error (404 included). */
function readCrd(
  kc: KubeConfig,
  name: string,
): Promise<{ status?: { conditions?: { type: string; status: string }[] } }> {
  const path = resourcePath({
    apiVersion: "apiextensions.k8s.io/v1",
    plural: "customresourcedefinitions",
    name,
  });
  return kubeRequest(kc, path);
}
