import { resolve } from "node:path";
import type { Kustomization } from "../../api/index.js";
import { applyPolicy, shouldPrune } from "../../apply/annotations.js";
import { DEFAULT_FIELD_MANAGER, manifestApplier, type ManifestApplier } from "../../apply/cluster/index.js";
import { objectChanges, SENSITIVE } from "../../apply/field-changes.js";
import { objectId, parseObjectId } from "../../apply/inventory.js";
import { prepareForApply } from "../../apply/normalize.js";
import { type KubeObject, objMetadataOf } from "../../apply/types.js";
import type { FetchedArtifact } from "../../kustomization/artifact-fetch.js";
import { buildManifests, type ConfigDataReader } from "../../kustomization/build-manifests.js";
import { withScratchCopy } from "../../kustomization/flux-wrapper.js";
import {
  deletionPlan,
  type GuardVerdict,
  prunePolicyOf,
  pruneGuardVerdict,
} from "../../kustomization/prune-guard.js";
import { loadRemoteCluster } from "../../kustomization/remote-kubeconfig.js";
import { CliError, type CliIo, type GlobalOptions } from "../context.js";
import { loadKubeConfig, targetNamespace } from "../kubeconfig.js";
import { kubeRequest, orUndefined, resourcePath } from "../../runtime/kube-request.js";
import type { KubeConfig } from "../../runtime/kubeconfig/index.js";
import { FLUX_KINDS, FluxObjects } from "../flux-objects.js";
import { formatData } from "../output.js";

/** Exit codes of `mooring diff`, as Flux's: 0 no differences, 1 differences, 2 an error. */
export const DIFF_EXIT = { same: 0, differs: 1, error: 2 } as const;

/** One object that would change; `-o json|yaml` prints a list of these. */
export interface DiffEntry {
  /** `Kind/namespace/name` (`Kind/name` when cluster-scoped). */
  object: string;
  action: "created" | "drifted" | "deleted";
  changes?: DiffField[];
}

/** One changed field: a dotted path with the live and the would-be value. */
export interface DiffField {
  path: string;
  live: unknown;
  desired: unknown;
}

/**
 * `mooring diff ks NAME --path DIR`: builds DIR as the live Kustomization would, server-side
 * dry-runs each object as the controller would apply it, and prints what would be created, what
 * drifted (field by field) and which inventory entries would be pruned, with the prune guard's
 * verdict on that deletion plan (issue 20). Exit codes follow Flux: 0 no differences,
 * 1 differences, 2 anything failed (so scripts can tell "drift" from "broken").
 */
export async function diffCommand(
  name: string,
  dir: string,
  options: GlobalOptions,
  io: CliIo,
): Promise<number> {
  return withErrorExit(() => runDiff(name, dir, options, io));
}

/** Runs a `diff`-style command: any failure becomes a CliError with exit code 2 (Flux's). */
export async function withErrorExit(command: () => Promise<number>): Promise<number> {
  try {
    return await command();
  } catch (err) {
    if (err instanceof CliError) throw new CliError(err.message, DIFF_EXIT.error);
    // An API error (KubeApiError) carries the server's Status message as its message.
    throw new CliError(err instanceof Error ? err.message : String(err), DIFF_EXIT.error);
  }
}

/** Reads Kustomization `name` of the target namespace. */
export async function readKustomization(
  kc: KubeConfig,
  namespace: string,
  name: string,
): Promise<Kustomization> {
  return (await new FluxObjects(kc).get(
    FLUX_KINDS.kustomization,
    namespace,
    name,
  )) as unknown as Kustomization;
}

/**
 * The differences between the live cluster and `ks` built from `tree` (a scratch directory the
 * build may write into): each object server-side dry-run as the controller would apply it and
 * compared field by field with the one comparison the controller's drift report uses
 * (field-changes.ts), plus the inventory entries a prune would delete; and the deletion plan with
 * the prune guard's verdict on it ("" when none). Shared by `mooring diff` and `mooring drift`.
 */
export async function liveDiff(
  kc: KubeConfig,
  ks: Kustomization,
  tree: FetchedArtifact,
): Promise<{ entries: DiffEntry[]; plan: string }> {
  const owner = { name: ks.metadata.name ?? "", namespace: ks.metadata.namespace ?? "" };
  const readConfig = clusterConfigReader(kc, owner.namespace);
  // spec.kubeConfig: the objects live on the remote cluster, so the dry-runs go there.
  const remote = await loadRemoteCluster(ks, { getConfigData: (kind, key) => readConfig(kind, key.name) }, 0);
  const built = await buildManifests(tree, { ks, readConfig, strictSubstitution: false, retryAfterMs: 0 });
  const prepared = prepareForApply(built, { owner, commonMetadata: ks.spec.commonMetadata });
  const applier = manifestApplier(remote?.kubeConfig ?? kc);
  const entries: DiffEntry[] = [];
  try {
    for (const obj of prepared)
      entries.push(...[await diffObject(applier, obj)].filter((e) => e !== undefined));
    if (ks.spec.prune) entries.push(...(await prunable(applier, prepared, ks, owner)));
  } finally {
    await applier.close();
  }
  return { entries, plan: ks.spec.prune ? deletionPlanText(ks, prepared) : "" };
}

async function runDiff(name: string, dir: string, options: GlobalOptions, io: CliIo): Promise<number> {
  const kc = loadKubeConfig(options, io.env);
  const namespace = targetNamespace(kc, options);
  const ks = await readKustomization(kc, namespace, name);
  const { entries, plan } = await withScratchCopy(resolve(dir), (root) =>
    liveDiff(kc, ks, { root, dir: root }),
  );
  printDiff(entries, plan, options, io);
  const differs = entries.length > 0;
  if (!differs) io.stderr(`✔ no differences between ${dir} and Kustomization ${namespace}/${name}\n`);
  return differs ? DIFF_EXIT.differs : DIFF_EXIT.same;
}

/**
 * Inventory entries the new build no longer contains and that a reconcile would really delete:
 * still there, still labelled as this Kustomization's, not `prune: disabled`.
 */
async function prunable(
  applier: ManifestApplier,
  prepared: readonly KubeObject[],
  ks: Kustomization,
  owner: { name: string; namespace: string },
): Promise<DiffEntry[]> {
  const keep = new Set(prepared.map((o) => objectId(objMetadataOf(o))));
  const lines: DiffEntry[] = [];
  for (const entry of ks.status?.inventory?.entries ?? []) {
    if (keep.has(entry.id)) continue;
    const m = parseObjectId(entry.id);
    const live = await applier.get({
      apiVersion: m.group === "" ? entry.v : `${m.group}/${entry.v}`,
      kind: m.kind,
      metadata: { name: m.name, ...(m.namespace === "" ? {} : { namespace: m.namespace }) },
    });
    if (live && shouldPrune(live, owner.name, owner.namespace)) {
      lines.push({ object: refText(m), action: "deleted" });
    }
  }
  return lines;
}

/**
 * The entries as Flux's lines, or as JSON/YAML with `-o`; then the deletion plan (to stderr with
 * -o json|yaml, so that stdout stays parseable).
 */
export function printDiff(
  entries: readonly DiffEntry[],
  plan: string,
  options: GlobalOptions,
  io: CliIo,
): void {
  if (options.output === "json" || options.output === "yaml") {
    io.stdout(formatData(entries, options.output));
    if (plan !== "") io.stderr(plan);
    return;
  }
  for (const entry of entries) io.stdout(renderEntry(entry));
  if (plan !== "") io.stdout(plan);
}

/**
 * The deletion plan in one line, and what the prune guard (with the controller's default
 * `--prune-guard`) would do with it: "" when nothing would be pruned. Throws for a guard
 * annotation the controller would stall on.
 */
function deletionPlanText(ks: Kustomization, prepared: readonly KubeObject[]): string {
  const plan = deletionPlan(ks.status?.inventory?.entries ?? [], prepared);
  if (plan.stale.length === 0) return "";
  // Counted from the inventory; the `deleted` lines above are those prune would really delete.
  const head = `deletion plan: ${plan.stale.length} of ${plan.inventorySize} inventory objects are no longer in the build\n`;
  const verdict: GuardVerdict = pruneGuardVerdict(plan, prunePolicyOf(ks), true);
  if (verdict === undefined) return head;
  return `${head}✗ the prune guard would stop this revision (PruneGuardTriggered): ${verdict.summary}. ${verdict.remedy}\n`;
}

/** Dry-runs one object; returns what would change, or undefined when nothing would. */
async function diffObject(applier: ManifestApplier, obj: KubeObject): Promise<DiffEntry | undefined> {
  const ref = refText(objMetadataOf(obj));
  const live = await applier.get(obj);
  // Flux skips `reconcile: disabled`, `ssa: Ignore` and existing `ssa: IfNotPresent` objects.
  if (applyPolicy(obj, live).skip) return undefined;
  const desired = await applier.apply(obj, { fieldManager: DEFAULT_FIELD_MANAGER, dryRun: true });
  if (live === undefined) return { object: ref, action: "created" };
  // Secret values are masked by objectChanges: they never reach the terminal or a CI log.
  const changes = objectChanges(live, desired);
  if (changes.length === 0) return undefined;
  return {
    object: ref,
    action: "drifted",
    changes: changes.map(({ path, live: was, desired: want }) => ({ path, live: was, desired: want })),
  };
}

/** Flux's lines: `► Kind/ns/name created|drifted|deleted`, then one line per changed field. */
function renderEntry(entry: DiffEntry): string {
  const fields = (entry.changes ?? []).map((c) => `  ${c.path}: ${show(c.live)} → ${show(c.desired)}\n`);
  return `► ${entry.object} ${entry.action}\n${fields.join("")}`;
}

function show(v: unknown): string {
  if (v === SENSITIVE) return v;
  return v === undefined ? "(none)" : JSON.stringify(v);
}

function refText(m: { namespace: string; name: string; kind: string }): string {
  return m.namespace === "" ? `${m.kind}/${m.name}` : `${m.kind}/${m.namespace}/${m.name}`;
}

/** Reads `substituteFrom` ConfigMaps and Secrets from the cluster, as the controller does. */
function clusterConfigReader(kc: KubeConfig, namespace: string): ConfigDataReader {
  return async (kind, name) => {
    const plural = kind === "Secret" ? "secrets" : "configmaps";
    const path = resourcePath({ apiVersion: "v1", plural, namespace, name });
    const obj = await orUndefined(kubeRequest<{ data?: Record<string, string> }>(kc, path));
    return obj === undefined ? undefined : (obj.data ?? {});
  };
}
