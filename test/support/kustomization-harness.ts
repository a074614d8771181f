/**
 * A Kustomization controller and its source controller (GitRepository, OCIRepository) running in-process against the
 * test control plane and a real git server, limited to one test file's objects by a shard label,
 * with the kubectl helpers those tests share.
 */
import { stringify } from "yaml";
import { localClusters } from "./local-clusters.js";
import { ApplyManager } from "../../src/apply/cluster/index.js";
import { startGitServer, type GitRepo, type GitServer } from "../../src/dev/git-server/index.js";
import { ApiKustomizationClient } from "../../src/kustomization/cluster-client.js";
import { startKustomizationController } from "./kustomization-controller.js";
import { kustomizationOptions, type KustomizationOptions } from "../../src/kustomization/options.js";
import { apiEventSink } from "../../src/runtime/event-sink.js";
import { EventRecorder } from "../../src/runtime/events.js";
import { startSourceController, type SourceHarness } from "../../src/source/testing.js";
import {
  kubectl,
  randomSuffix,
  readObject,
  testKubeConfig,
  waitForCondition,
  waitForObject,
} from "./kube.js";

/** The Kustomization type. */
export const KS = { apiVersion: "kustomize.toolkit.fluxcd.io/v1", kind: "Kustomization" } as const;
/** The GitRepository type. */
export const GR = { apiVersion: "source.toolkit.fluxcd.io/v1", kind: "GitRepository" } as const;
/** The OCIRepository type. */
export const OCI = { apiVersion: "source.toolkit.fluxcd.io/v1", kind: "OCIRepository" } as const;
const SHARD_LABEL = "mooring.test/shard";

/** Runs kubectl and fails the test with its stderr when it fails. */
export async function kubectlOk(args: string[], input?: string): Promise<string> {
  const res = await kubectl(args, input);
  if (res.code !== 0) throw new Error(`kubectl ${args.join(" ")}: ${res.stderr}`);
  return res.stdout;
}

/** The running controllers and helpers bound to one namespace. */
export class KustomizationHarness {
  readonly git: GitServer;
  /** The in-process source controller (its log lines are in `source.logs`). */
  readonly source: SourceHarness;

  private constructor(
    parts: { git: GitServer; source: SourceHarness },
    private readonly ns: () => string,
    private readonly shard: string,
    private readonly stops: (() => Promise<void>)[],
  ) {
    this.git = parts.git;
    this.source = parts.source;
  }

  /** Starts a git server, the source controller for this shard and the Kustomization controller. */
  static async start(
    ns: () => string,
    overrides: Partial<KustomizationOptions> = {},
  ): Promise<KustomizationHarness> {
    const shard = `shard-${randomSuffix()}`;
    const git = await startGitServer();
    const kc = testKubeConfig();
    const source: SourceHarness = await startSourceController(kc, {
      labelSelector: `${SHARD_LABEL}=${shard}`,
    });
    const recorder = new EventRecorder({ sink: apiEventSink(kc), component: "kustomize-controller" });
    const apply = new ApplyManager(kc, {});
    const client = new ApiKustomizationClient(kc, (obj, e) => recorder.record(obj, e));
    const options = kustomizationOptions({ ...overrides });
    const controller = startKustomizationController({
      kubeConfig: kc,
      client,
      apply: localClusters(apply),
      options,
      labelSelector: `${SHARD_LABEL}=${shard}`,
    });
    return new KustomizationHarness({ git, source }, ns, shard, [
      () => controller.stop(),
      () => apply.close(),
      () => recorder.flush(),
      () => source.stop(),
      () => git.stop(),
    ]);
  }

  /** Stops everything, in reverse order of start. */
  async stop(): Promise<void> {
    for (const stop of this.stops) await stop();
  }

  /**
   * Creates GitRepository `name` for `repo` (spec fields in `spec` replace the defaults, e.g. an
   * ssh:// URL and its secretRef) and waits for its first artifact; returns the revision.
   */
  async createSource(repo: GitRepo, name: string, spec: Record<string, unknown> = {}): Promise<string> {
    await this.applySource(name, { url: repo.url, interval: "1h", ref: { branch: "main" }, ...spec });
    return this.servedHead(repo, name);
  }

  /** Waits until GitRepository `name` serves the head of `repo`'s main; returns the revision. */
  private async servedHead(repo: GitRepo, name: string): Promise<string> {
    const revision = `main@sha1:${await repo.revParse("main")}`;
    await waitForObject(
      { ...GR, name, namespace: this.ns() },
      (o) => (o as { status?: { artifact?: { revision?: string } } }).status?.artifact?.revision === revision,
      { timeoutMs: 60_000 },
    );
    return revision;
  }

  /** Applies OCIRepository `name` in this harness's shard with `spec` (interval 1h unless given). */
  async createOciRepository(name: string, spec: Record<string, unknown>): Promise<void> {
    const metadata = { name, namespace: this.ns(), labels: { [SHARD_LABEL]: this.shard } };
    const body = { ...OCI, metadata, spec: { interval: "1h", ...spec } };
    await kubectlOk(["apply", "-f", "-"], stringify(body));
  }

  /** Applies GitRepository `name` with `spec` as is (in this harness's shard). */
  async applySource(name: string, spec: Record<string, unknown>): Promise<void> {
    const metadata = { name, namespace: this.ns(), labels: { [SHARD_LABEL]: this.shard } };
    await kubectlOk(["apply", "-f", "-"], stringify({ ...GR, metadata, spec }));
  }

  /**
   * After a push to `repo`: asks GitRepository `name` to fetch now and waits until it serves the
   * new head (its Kustomizations then reconcile through the source watch); returns the revision.
   */
  async refreshSource(repo: GitRepo, name: string): Promise<string> {
    const at = `reconcile.fluxcd.io/requestedAt=${Date.now()}`;
    await kubectlOk(["annotate", "--overwrite", "gitrepository", name, "-n", this.ns(), at]);
    return this.servedHead(repo, name);
  }

  /** Events recorded for Kustomization `name`, oldest first. */
  async events(name: string): Promise<{ type: string; reason: string; message: string }[]> {
    const out = await kubectlOk([
      "get",
      "events",
      "-n",
      this.ns(),
      "-o",
      "json",
      "--field-selector",
      `involvedObject.kind=Kustomization,involvedObject.name=${name}`,
    ]);
    return (JSON.parse(out) as { items: { type: string; reason: string; message: string }[] }).items;
  }

  /** Applies Kustomization `name` (interval 1h, prune) with `spec`. */
  async createKs(name: string, spec: Record<string, unknown>): Promise<void> {
    const metadata = { name, namespace: this.ns(), labels: { [SHARD_LABEL]: this.shard } };
    const body = { ...KS, metadata, spec: { interval: "1h", prune: true, ...spec } };
    await kubectlOk(["apply", "-f", "-"], stringify(body));
  }

  /** Asks for a reconcile of Kustomization `name` now. */
  async requestReconcile(name: string): Promise<void> {
    const at = `reconcile.fluxcd.io/requestedAt=${Date.now()}`;
    await kubectlOk(["annotate", "--overwrite", "kustomization", name, "-n", this.ns(), at]);
  }

  /** The Kustomization as stored. */
  ks(name: string): Promise<any> {
    return readObject({ ...KS, name, namespace: this.ns() });
  }

  /** Waits until condition `type` of Kustomization `name` carries exactly `message`. */
  async conditionMessage(name: string, type: string, message: string): Promise<any> {
    const obj = await waitForObject(
      { ...KS, name, namespace: this.ns() },
      (o) =>
        (
          (o as { status?: { conditions?: { type: string; message?: string }[] } }).status?.conditions ?? []
        ).some((c) => c.type === type && c.message === message),
      { timeoutMs: 90_000 },
    );
    assertKstatusRules(obj);
    return obj;
  }

  /** Waits for condition `type` of Kustomization `name`. */
  async condition(
    name: string,
    type: string,
    status: "True" | "False" | "Unknown",
    reason?: string,
  ): Promise<any> {
    const options = { timeoutMs: 90_000, ...(reason === undefined ? {} : { reason }) };
    const obj = await waitForCondition({ ...KS, name, namespace: this.ns() }, type, status, options);
    assertKstatusRules(obj);
    return obj;
  }
}

/** kstatus rules every Flux object read by a test must satisfy (conventions.md). */
export function assertKstatusRules(obj: { metadata?: { generation?: number }; status?: any }): void {
  const conditions: { type: string; status: string }[] = obj.status?.conditions ?? [];
  const is = (type: string, status: string) => conditions.some((c) => c.type === type && c.status === status);
  if (is("Ready", "True")) {
    if (is("Reconciling", "True") || is("Stalled", "True"))
      throw new Error("Ready=True with Reconciling/Stalled");
    if (obj.status?.observedGeneration !== obj.metadata?.generation)
      throw new Error("Ready=True on an old generation");
  }
  if (is("Stalled", "True") && is("Reconciling", "True"))
    throw new Error("Stalled and Reconciling both True");
}
