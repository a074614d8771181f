import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { KubernetesObjectApi, PatchStrategy, type KubernetesObject } from "@kubernetes/client-node";
import { GIT_REPOSITORY, KUSTOMIZATION } from "../../api/constants.js";
import { parse } from "yaml";
import { manifestApplier, type ManifestApplier } from "../../apply/cluster/index.js";
import { isCRD } from "../../apply/staging.js";
import type { KubeObject } from "../../apply/types.js";
import { build, render } from "../../kustomize/index.js";
import { CliError, type CliIo, type GlobalOptions } from "../context.js";
import { loadKubeConfig } from "../kubeconfig.js";
import { isNotFound } from "../../runtime/kube-request.js";

/**
 * The package's install tree: the nearest `deploy/kustomization.yaml` above this file, so it is
 * found from `src/cli/commands` (tsx) and from `dist/src/cli/commands` (compiled) alike.
 */
export function deployDir(from: string = import.meta.dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, "deploy", "kustomization.yaml"))) return join(dir, "deploy");
    if (dirname(dir) === dir) throw new CliError(`no deploy/ directory found above ${from}`);
  }
}
const FIELD_MANAGER = "mooring-install";
const SYSTEM_NAMESPACE = "mooring-system";

/** Options of `mooring install` / `mooring uninstall`. */
export interface InstallOptions {
  wait: boolean;
  dryRun?: boolean;
  crds?: boolean;
  yes?: boolean;
}

type Obj = KubernetesObject & { metadata: { name: string } };

/** Renders `deploy/` with mooring's own engine, so install ships exactly what the tests render. */
async function renderDeploy(): Promise<Obj[]> {
  const text = render(await build(deployDir()));
  return text
    .split(/^---$/m)
    .map((doc) => parse(doc) as Obj | null)
    .filter((o): o is Obj => o !== null);
}

/**
 * `mooring install`: server-side applies `deploy/` in Flux's order (Namespaces and CRDs first,
 * waiting for the CRDs to be Established, then the rest), then waits until the controller
 * Deployment is Available. `--dry-run` sends everything as a server-side dry run instead.
 */
export async function installCommand(
  opts: InstallOptions,
  options: GlobalOptions,
  io: CliIo,
): Promise<number> {
  const kc = loadKubeConfig(options, io.env);
  const api = KubernetesObjectApi.makeApiClient(kc);
  const applier = manifestApplier(kc);
  try {
    return await install({ api, applier, opts, io }, options);
  } finally {
    await applier.close();
  }
}

/** What applying the install manifests needs. */
interface Installer {
  api: KubernetesObjectApi;
  applier: ManifestApplier;
  opts: InstallOptions;
  io: CliIo;
}

async function install(installer: Installer, options: GlobalOptions): Promise<number> {
  const { api, opts, io } = installer;
  const objects = await renderDeploy();
  const first = objects.filter((o) => isCRD(o as KubeObject) || o.kind === "Namespace");
  const rest = objects.filter((o) => !first.includes(o));
  const deadline = Date.now() + options.timeout;
  await applyAll(installer, first);
  if (!opts.dryRun) {
    for (const crd of first.filter((o) => o.kind === "CustomResourceDefinition")) {
      await waitUntil(api, crd, established, {
        deadline,
        io,
        what: `CRD ${crd.metadata.name} to be Established`,
      });
    }
  }
  await applyAll(installer, rest);
  const deployment = objects.find((o) => o.kind === "Deployment");
  if (opts.wait && !opts.dryRun && deployment) {
    await waitUntil(api, deployment, available, {
      deadline,
      io,
      what: `Deployment ${SYSTEM_NAMESPACE}/${deployment.metadata.name} to be Available`,
    });
  }
  io.stdout(opts.dryRun ? "✔ install dry run passed\n" : "✔ mooring installed\n");
  return 0;
}

/**
 * `mooring uninstall`: deletes what install created, namespace last. CRDs stay unless `--crds`,
 * because deleting a CRD deletes every GitRepository and Kustomization in the cluster.
 */
export async function uninstallCommand(
  opts: InstallOptions,
  options: GlobalOptions,
  io: CliIo,
): Promise<number> {
  if (!opts.yes && !(await confirmed(io, opts.crds === true))) return 1;
  const api = KubernetesObjectApi.makeApiClient(loadKubeConfig(options, io.env));
  const objects = (await renderDeploy()).filter((o) => opts.crds === true || !isCRD(o as KubeObject));
  const isNs = (o: Obj): boolean => o.kind === "Namespace";
  const ordered = [...objects.filter((o) => !isNs(o)).reverse(), ...objects.filter(isNs)];
  // Once the controller is gone nothing would clear the finalizers of its objects, and the
  // namespace and CRD deletions would hang on them (issue 13): drop them, as `flux uninstall` does.
  const releaseAt = ordered.findIndex((o) => isCRD(o as KubeObject) || isNs(o));
  for (const [i, obj] of ordered.entries()) {
    if (i === releaseAt && !opts.dryRun) await releaseFinalizers(api, io);
    await deleteOne(api, obj, opts.dryRun === true, io);
  }
  io.stdout("✔ mooring uninstalled\n");
  return 0;
}

async function deleteOne(api: KubernetesObjectApi, obj: Obj, dryRun: boolean, io: CliIo): Promise<void> {
  try {
    await api.delete(obj, undefined, dryRun ? "All" : undefined, undefined, undefined, "Background");
    io.stdout(`✔ ${obj.kind}/${obj.metadata.name} deleted\n`);
  } catch (err) {
    if (!isNotFound(err)) throw err;
    io.stdout(`- ${obj.kind}/${obj.metadata.name} not found\n`);
  }
}

/**
 * Removes mooring's finalizer from every GitRepository and Kustomization, so deleting them (with
 * the CRDs or the namespace) neither hangs nor prunes what they applied.
 */
async function releaseFinalizers(api: KubernetesObjectApi, io: CliIo): Promise<void> {
  for (const kind of [GIT_REPOSITORY, KUSTOMIZATION]) {
    const list = await api.list(kind.apiVersion, kind.kind).catch((err: unknown) => {
      if (isNotFound(err)) return { items: [] };
      throw err;
    });
    for (const obj of list.items) {
      if (!obj.metadata?.finalizers?.length) continue;
      const { name, namespace } = obj.metadata;
      const patch = {
        apiVersion: kind.apiVersion,
        kind: kind.kind,
        metadata: { name, namespace, finalizers: null },
      };
      await api.patch(
        patch as unknown as KubernetesObject,
        undefined,
        undefined,
        FIELD_MANAGER,
        undefined,
        PatchStrategy.MergePatch,
      );
      io.stdout(`✔ ${kind.kind}/${obj.metadata.namespace}/${obj.metadata.name} finalizer removed\n`);
    }
  }
}

/** Server-side applies (or dry-runs) one stage, one progress line per object. */
async function applyAll({ api, applier, opts, io }: Installer, stage: readonly Obj[]): Promise<void> {
  for (const obj of stage) {
    // A dry run cannot create the namespace, so its namespaced objects are checked in `default`.
    const missingNs =
      opts.dryRun === true && obj.metadata.namespace === SYSTEM_NAMESPACE && !(await exists(api, nsOf()));
    const target = missingNs ? { ...obj, metadata: { ...obj.metadata, namespace: "default" } } : obj;
    await applier.apply(target as KubeObject, { fieldManager: FIELD_MANAGER, dryRun: opts.dryRun === true });
    io.stdout(`✔ ${obj.kind}/${obj.metadata.name} ${opts.dryRun ? "valid (dry run)" : "applied"}\n`);
  }
}

/**
 * Asks on a terminal; anywhere else (CI, pipes) there is nobody to ask, so `--yes` is required
 * rather than deleting the controller unattended.
 */
async function confirmed(io: CliIo, crds: boolean): Promise<boolean> {
  if (!io.tty || !process.stdin.isTTY) {
    throw new CliError("refusing to uninstall without confirmation: pass --yes", 2);
  }
  const what = crds ? "mooring, its CRDs and every GitRepository and Kustomization" : "mooring";
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(`? delete ${what} from the cluster? [y/N] `);
    if (/^y(es)?$/i.test(answer.trim())) return true;
    io.stderr("✗ uninstall cancelled\n");
    return false;
  } finally {
    rl.close();
  }
}

function nsOf(): Obj {
  return { apiVersion: "v1", kind: "Namespace", metadata: { name: SYSTEM_NAMESPACE } };
}

async function exists(api: KubernetesObjectApi, obj: Obj): Promise<boolean> {
  return api.read(obj).then(
    () => true,
    (err: unknown) => (isNotFound(err) ? false : Promise.reject(err as Error)),
  );
}

type Conditions = { status?: { conditions?: { type: string; status: string }[] } };
const hasCondition = (obj: Conditions, type: string): boolean =>
  obj.status?.conditions?.some((c) => c.type === type && c.status === "True") ?? false;
const established = (obj: Conditions): boolean => hasCondition(obj, "Established");
const available = (obj: Conditions): boolean => hasCondition(obj, "Available");

/** Polls until `ok`, with a progress line every few seconds so a long wait never looks hung. */
async function waitUntil(
  api: KubernetesObjectApi,
  obj: Obj,
  ok: (o: Conditions) => boolean,
  w: { deadline: number; io: CliIo; what: string },
): Promise<void> {
  let lastProgress = Date.now();
  for (;;) {
    if (ok((await api.read(obj)) as Conditions)) return;
    if (Date.now() > w.deadline) throw new CliError(`timed out waiting for ${w.what}`);
    if (Date.now() - lastProgress >= 5000) {
      w.io.stderr(`◎ waiting for ${w.what}\n`);
      lastProgress = Date.now();
    }
    await sleep(250);
  }
}
