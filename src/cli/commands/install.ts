import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { GIT_REPOSITORY, KUSTOMIZATION } from "../../api/constants.js";
import { parse } from "yaml";
import { manifestApplier, type ManifestApplier } from "../../apply/cluster/index.js";
import { isCRD } from "../../apply/staging.js";
import type { KubeObject } from "../../apply/types.js";
import { build, render } from "../../kustomize/index.js";
import { CliError, type CliIo, type GlobalOptions } from "../context.js";
import { loadKubeConfig } from "../kubeconfig.js";
import { isNotFound, kubeRequest, resourcePath } from "../../runtime/kube-request.js";
import type { KubeConfig } from "../../runtime/kubeconfig/index.js";

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

type Obj = KubeObject & { metadata: { name: string } };

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
  const applier = manifestApplier(loadKubeConfig(options, io.env));
  try {
    return await install({ applier, opts, io }, options);
  } finally {
    await applier.close();
  }
}

/** What applying the install manifests needs. */
interface Installer {
  applier: ManifestApplier;
  opts: InstallOptions;
  io: CliIo;
}

async function install(installer: Installer, options: GlobalOptions): Promise<number> {
  const { applier, opts, io } = installer;
  const objects = await renderDeploy();
  const first = objects.filter((o) => isCRD(o) || o.kind === "Namespace");
  const rest = objects.filter((o) => !first.includes(o));
  const deadline = Date.now() + options.timeout;
  await applyAll(installer, first);
  if (!opts.dryRun) {
    for (const crd of first.filter((o) => o.kind === "CustomResourceDefinition")) {
      await waitUntil(applier, crd, established, {
        deadline,
        io,
        what: `CRD ${crd.metadata.name} to be Established`,
      });
    }
  }
  await applyAll(installer, rest);
  const deployment = objects.find((o) => o.kind === "Deployment");
  if (opts.wait && !opts.dryRun && deployment) {
    await waitUntil(applier, deployment, available, {
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
  const kc = loadKubeConfig(options, io.env);
  const applier = manifestApplier(kc);
  try {
    await uninstall(kc, applier, opts, io);
  } finally {
    await applier.close();
  }
  io.stdout("✔ mooring uninstalled\n");
  return 0;
}

/** Deletes the rendered objects, namespace last, releasing finalizers before CRDs/namespace go. */
async function uninstall(
  kc: KubeConfig,
  applier: ManifestApplier,
  opts: InstallOptions,
  io: CliIo,
): Promise<void> {
  const objects = (await renderDeploy()).filter((o) => opts.crds === true || !isCRD(o));
  const isNs = (o: Obj): boolean => o.kind === "Namespace";
  const ordered = [...objects.filter((o) => !isNs(o)).reverse(), ...objects.filter(isNs)];
  // Once the controller is gone nothing would clear the finalizers of its objects, and the
  // namespace and CRD deletions would hang on them (issue 13): drop them, as `flux uninstall` does.
  const releaseAt = ordered.findIndex((o) => isCRD(o) || isNs(o));
  for (const [i, obj] of ordered.entries()) {
    if (i === releaseAt && !opts.dryRun) await releaseFinalizers(kc, io);
    const deleted = await applier.delete(obj, { dryRun: opts.dryRun === true });
    io.stdout(
      deleted
        ? `✔ ${obj.kind}/${obj.metadata.name} deleted\n`
        : `- ${obj.kind}/${obj.metadata.name} not found\n`,
    );
  }
}

/**
 * Removes mooring's finalizer from every GitRepository and Kustomization, so deleting them (with
 * the CRDs or the namespace) neither hangs nor prunes what they applied.
 */
async function releaseFinalizers(kc: KubeConfig, io: CliIo): Promise<void> {
  for (const kind of [GIT_REPOSITORY, KUSTOMIZATION]) {
    const collection = resourcePath({ apiVersion: kind.apiVersion, plural: kind.plural });
    const list = await kubeRequest<{ items?: KubeObject[] }>(kc, collection).catch((err: unknown) => {
      // No CRD (already uninstalled with --crds): nothing holds a finalizer.
      if (isNotFound(err)) return { items: [] };
      throw err;
    });
    for (const obj of list.items ?? []) {
      const { name, namespace, finalizers } = obj.metadata;
      if (!Array.isArray(finalizers) || finalizers.length === 0) continue;
      await kubeRequest(
        kc,
        resourcePath({ apiVersion: kind.apiVersion, plural: kind.plural, namespace, name }),
        {
          method: "PATCH",
          body: {
            apiVersion: kind.apiVersion,
            kind: kind.kind,
            metadata: { name, namespace, finalizers: null },
          },
          contentType: "application/merge-patch+json",
          query: { fieldManager: FIELD_MANAGER },
        },
      );
      io.stdout(`✔ ${kind.kind}/${namespace ?? ""}/${name ?? ""} finalizer removed\n`);
    }
  }
}

/** Server-side applies (or dry-runs) one stage, one progress line per object. */
async function applyAll({ applier, opts, io }: Installer, stage: readonly Obj[]): Promise<void> {
  for (const obj of stage) {
    // A dry run cannot create the namespace, so its namespaced objects are checked in `default`.
    const missingNs =
      opts.dryRun === true &&
      obj.metadata.namespace === SYSTEM_NAMESPACE &&
      (await applier.get(nsOf())) === undefined;
    const target = missingNs ? { ...obj, metadata: { ...obj.metadata, namespace: "default" } } : obj;
    await applier.apply(target, { fieldManager: FIELD_MANAGER, dryRun: opts.dryRun === true });
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

type Conditions = { status?: { conditions?: { type: string; status: string }[] } };
const hasCondition = (obj: Conditions, type: string): boolean =>
  obj.status?.conditions?.some((c) => c.type === type && c.status === "True") ?? false;
const established = (obj: Conditions): boolean => hasCondition(obj, "Established");
const available = (obj: Conditions): boolean => hasCondition(obj, "Available");

/** Polls until `ok`, with a progress line every few seconds so a long wait never looks hung. */
async function waitUntil(
  applier: ManifestApplier,
  obj: Obj,
  ok: (o: Conditions) => boolean,
  w: { deadline: number; io: CliIo; what: string },
): Promise<void> {
  let lastProgress = Date.now();
  for (;;) {
    const live = await applier.get(obj);
    if (live === undefined) throw new CliError(`${obj.kind}/${obj.metadata.name} not found`);
    if (ok(live as Conditions)) return;
    if (Date.now() > w.deadline) throw new CliError(`timed out waiting for ${w.what}`);
    if (Date.now() - lastProgress >= 5000) {
      w.io.stderr(`◎ waiting for ${w.what}\n`);
      lastProgress = Date.now();
    }
    await sleep(250);
  }
}
