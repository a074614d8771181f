import { resolve } from "node:path";
import {
  type Artifact,
  type DriftCorrection,
  type Kustomization,
  sourceKindInfo,
  sourceRefNamespace,
} from "../../api/index.js";
import {
  type ArtifactFetchOptions,
  type FetchedArtifact,
  withArtifact,
} from "../../kustomization/artifact-fetch.js";
import { withScratchCopy } from "../../kustomization/flux-wrapper.js";
import { DEFAULT_KUSTOMIZATION_OPTIONS as DEFAULTS } from "../../kustomization/options.js";
import { kubeRequest, resourcePath } from "../../runtime/kube-request.js";
import type { KubeConfig } from "../../runtime/kubeconfig/index.js";
import { CliError, type CliIo, type GlobalOptions } from "../context.js";
import { loadKubeConfig, targetNamespace } from "../kubeconfig.js";
import { formatData } from "../output.js";
import { DIFF_EXIT, type DiffEntry, liveDiff, printDiff, readKustomization, withErrorExit } from "./diff.js";

/** The CLI gives up on an unreachable artifact quickly (the controller retries for minutes). */
const CLI_FETCH: ArtifactFetchOptions = {
  ...DEFAULTS.artifact,
  retries: 1,
  retryMinWaitMs: 500,
  retryMaxWaitMs: 500,
  requeueDependencyMs: 0,
};

/** What `-o json|yaml` prints. */
export interface DriftReport {
  /** The revision the live objects were compared with. */
  revision: string;
  /** Live vs desired now, as `mooring diff` reports it. */
  drift: DiffEntry[];
  /** `status.mooring.driftCorrections`: the last corrections, newest first. */
  recentCorrections: DriftCorrection[];
}

/**
 * `mooring drift ks NAME [--path DIR]` (issue 20 item 2): the current drift of a Kustomization's
 * objects (live vs desired, the comparison `mooring diff` makes, built from the source's current
 * artifact or from a local DIR) and its recent corrections from status. Exit codes as `diff`:
 * 0 no drift, 1 drift, 2 an error.
 */
export async function driftCommand(
  name: string,
  path: string | undefined,
  options: GlobalOptions,
  io: CliIo,
): Promise<number> {
  return withErrorExit(() => runDrift(name, path, options, io));
}

async function runDrift(
  name: string,
  path: string | undefined,
  options: GlobalOptions,
  io: CliIo,
): Promise<number> {
  const kc = loadKubeConfig(options, io.env);
  const ks = await readKustomization(kc, targetNamespace(kc, options), name);
  const { revision, drift } =
    path === undefined
      ? await fromArtifact(kc, ks)
      : {
          revision: `local ${path}`,
          drift: (await withScratchCopy(resolve(path), (root) => liveDiff(kc, ks, { root, dir: root })))
            .entries,
        };
  const report: DriftReport = {
    revision,
    drift,
    recentCorrections: ks.status?.mooring?.driftCorrections ?? [],
  };
  if (options.output === "json" || options.output === "yaml") io.stdout(formatData(report, options.output));
  else printReport(report, ks, options, io);
  return drift.length > 0 ? DIFF_EXIT.differs : DIFF_EXIT.same;
}

/** Builds the source's current artifact (what the controller applies) and compares. */
async function fromArtifact(
  kc: KubeConfig,
  ks: Kustomization,
): Promise<{ revision: string; drift: DiffEntry[] }> {
  const ref = ks.spec.sourceRef;
  const info = sourceKindInfo(ref.kind);
  if (info === undefined)
    throw new CliError(`sourceRef kind ${ref.kind} is not supported: pass --path with a local checkout`);
  const path = resourcePath({
    apiVersion: info.apiVersion,
    plural: info.plural,
    namespace: sourceRefNamespace(ks),
    name: ref.name,
  });
  const source = await kubeRequest<{ status?: { artifact?: Artifact } }>(kc, path);
  const artifact = source.status?.artifact;
  if (artifact?.url === undefined)
    throw new CliError(`${ref.kind} ${sourceRefNamespace(ks)}/${ref.name} has no artifact yet`);
  const work = async (tree: FetchedArtifact): Promise<DiffEntry[]> => (await liveDiff(kc, ks, tree)).entries;
  try {
    const drift = await withArtifact({ artifact, path: ks.spec.path ?? "" }, CLI_FETCH, work);
    return { revision: artifact.revision, drift };
  } catch (err) {
    const text = err instanceof Error ? err.message : String(err);
    throw new CliError(
      `${text} (the artifact is served from inside the cluster; from outside it, port-forward the ` +
        `controller's artifact server or pass --path with a checkout of the revision)`,
      DIFF_EXIT.error,
    );
  }
}

function printReport(report: DriftReport, ks: Kustomization, options: GlobalOptions, io: CliIo): void {
  const id = `Kustomization ${ks.metadata.namespace ?? ""}/${ks.metadata.name ?? ""}`;
  const applied = ks.status?.lastAppliedRevision;
  if (applied !== undefined && applied !== report.revision && !report.revision.startsWith("local "))
    io.stderr(`! ${id} last applied ${applied}; the differences include what ${report.revision} changes\n`);
  if (report.drift.length === 0) io.stdout(`✔ no drift: ${id} matches ${report.revision}\n`);
  else {
    io.stdout(`Current drift of ${id} from ${report.revision}:\n`);
    printDiff(report.drift, "", options, io);
  }
  io.stdout(
    report.recentCorrections.length === 0 ? "No recent drift corrections.\n" : "Recent drift corrections:\n",
  );
  for (const c of report.recentCorrections) io.stdout(correctionLine(c));
}

/** `2026-12-06T18:00:00Z ConfigMap/apps/settings data.mode by kubectl-edit (main@sha1:…)`. */
function correctionLine(c: DriftCorrection): string {
  const object = c.namespace === undefined ? `${c.kind}/${c.name}` : `${c.kind}/${c.namespace}/${c.name}`;
  const by = c.managers.length === 0 ? "an unknown field manager" : c.managers.join(", ");
  const revision = c.revision === undefined ? "" : ` (${c.revision})`;
  return `  ${c.time} ${object} ${c.fields.join(", ")} by ${by}${revision}\n`;
}
