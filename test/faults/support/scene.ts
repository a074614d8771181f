/**
 * One tenant as the fault tests drive it (issue 14): a repository whose `app/` holds a set of
 * ConfigMaps, its GitRepository and a pruning Kustomization, plus the checks every fault test
 * makes: converged on the head commit, nothing lost, no orphan, no wrong deletion.
 */
import { CoreV1Api, type KubeConfig } from "@kubernetes/client-node";
import { randomSuffix } from "../../support/kube.js";
import { startGitServer, type GitRepo, type GitServer } from "../../../src/dev/git-server/index.js";
import {
  killHard,
  startControllerProcess,
  type ControllerProcess,
  type ControllerProcessOptions,
} from "./controller-process.js";
import { kubeRequest } from "../../../src/runtime/kube-request.js";
import { watchDeletions, type DeletionWatch } from "./deletions.js";
import {
  applyObject,
  configMapNames,
  gitRepository,
  kustomization,
  readGr,
  readKs,
  readyOf,
  type FluxObject,
  type SpecObject,
} from "./fixtures.js";

const SCENE_LABEL = "mooring.test/fault-scene";

/** ConfigMap names of content set `set`: sets overlap, so a change both adds and prunes. */
export function namesOf(set: number, size: number, prefix = "cm"): string[] {
  const first = (set % 2) * Math.floor(size / 2);
  return Array.from({ length: size }, (_, i) => `${prefix}-${String(first + i).padStart(3, "0")}`).sort();
}

/** Counts a fault test reports. */
export interface FaultCounts {
  cycles: number;
  wrongDeletions: number;
  lost: number;
  orphans: number;
}

/** A tenant in its own namespace. */
export class Scene {
  readonly name = "app";
  head: string[] = [];
  private previous: string[] = [];
  headRevision = "";
  readonly counts: FaultCounts = { cycles: 0, wrongDeletions: 0, lost: 0, orphans: 0 };
  private deletionsSeen = 0;

  readonly deletions: DeletionWatch;
  /** ConfigMaps per content set. */
  readonly size: number;
  readonly git: GitServer;
  private readonly kubeconfig: string;
  private readonly processes: ControllerProcess[] = [];

  private constructor(
    readonly kc: KubeConfig,
    readonly namespace: string,
    readonly repo: GitRepo,
    parts: Pick<Scene, "deletions" | "size" | "git"> & { readonly kubeconfig: string },
  ) {
    this.deletions = parts.deletions;
    this.size = parts.size;
    this.git = parts.git;
    this.kubeconfig = parts.kubeconfig;
  }

  /**
   * Starts a git server and creates the namespace, repository (set 0), GitRepository (at `gitUrl`,
   * by default the repository's own URL) and Kustomization.
   */
  static async create(
    kc: KubeConfig,
    opts: {
      kubeconfig: string;
      size: number;
      gitUrl?: (repo: GitRepo, git: GitServer) => Promise<string>;
      ksSpec?: Record<string, unknown>;
    },
  ): Promise<Scene> {
    const namespace = `fault-${randomSuffix()}`;
    await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: namespace } } });
    const git = await startGitServer();
    const repo = await git.createRepo(`app-${randomSuffix()}`, { defaultBranch: "main" });
    const deletions = await watchDeletions(kc, namespace);
    const scene = new Scene(kc, namespace, repo, {
      deletions,
      size: opts.size,
      git,
      kubeconfig: opts.kubeconfig,
    });
    await scene.push(0);
    const labelled = <T extends SpecObject>(o: T): T => ({
      ...o,
      metadata: { ...o.metadata, labels: { [SCENE_LABEL]: namespace } },
    });
    const url = (await opts.gitUrl?.(repo, git)) ?? repo.url;
    await applyObject(kc, labelled(gitRepository(namespace, scene.name, url)));
    await applyObject(
      kc,
      labelled(kustomization(namespace, scene.name, scene.name, { path: "app", ...opts.ksSpec })),
    );
    return scene;
  }

  /** Starts a controller process that sees only this scene; {@link close} kills it if still running. */
  async startController(opts: Partial<ControllerProcessOptions> = {}): Promise<ControllerProcess> {
    const proc = await startControllerProcess({
      kubeconfig: this.kubeconfig,
      labelSelector: this.selector,
      ...opts,
    });
    this.processes.push(proc);
    return proc;
  }

  /** Kills the controllers, stops the deletion watch and the git server. */
  async close(): Promise<void> {
    for (const p of this.processes) await killHard(p);
    this.deletions.stop();
    await this.git.stop();
  }

  /** `--watch-label-selector` for controllers that should see only this scene. */
  get selector(): string {
    return `${SCENE_LABEL}=${this.namespace}`;
  }

  /** Commits content set `set` and makes it the head the checks compare with. */
  async push(set: number): Promise<void> {
    const names = namesOf(set, this.size);
    const yaml = names
      .map(
        (n) =>
          `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${n}\n  namespace: ${this.namespace}\ndata:\n  set: "${set}"\n`,
      )
      .join("---\n");
    const sha = await this.repo.commit({ files: { "app/all.yaml": yaml }, message: `set ${set}` });
    this.previous = this.head;
    this.head = names;
    this.headRevision = `main@sha1:${sha}`;
  }

  /** Asks for a reconcile of the GitRepository and the Kustomization (`requestedAt`). */
  async requestReconcile(): Promise<void> {
    const body = { metadata: { annotations: { "reconcile.fluxcd.io/requestedAt": String(Date.now()) } } };
    for (const path of [
      `/apis/source.toolkit.fluxcd.io/v1/namespaces/${this.namespace}/gitrepositories/${this.name}`,
      `/apis/kustomize.toolkit.fluxcd.io/v1/namespaces/${this.namespace}/kustomizations/${this.name}`,
    ]) {
      await kubeRequest(this.kc, path, { method: "PATCH", body });
    }
  }

  /**
   * Deletions since the last call of objects in the head commit (never allowed once the previous
   * change converged). With `alsoInPrevious`, only objects in both the head and the commit before
   * it count: what stayed in Git throughout, for tests that move on before convergence.
   */
  wrongDeletions(alsoInPrevious = false): string[] {
    const fresh = this.deletions.deletions.slice(this.deletionsSeen);
    this.deletionsSeen = this.deletions.deletions.length;
    const kept = (n: string): boolean =>
      this.head.includes(n) && (!alsoInPrevious || this.previous.includes(n));
    return fresh.filter((d) => kept(d.name)).map((d) => d.name);
  }

  /** Undefined until the Kustomization applied the head and the namespace holds exactly its objects. */
  async converged(): Promise<true | undefined> {
    const ks = await readKs(this.kc, this.namespace, this.name);
    if (readyOf(ks).status !== "True" || ks?.status?.lastAppliedRevision !== this.headRevision)
      return undefined;
    const live = await configMapNames(this.kc, this.namespace, "cm-");
    return live.join(",") === this.head.join(",") ? true : undefined;
  }

  /** Records a finished cycle: wrong deletions, lost and orphaned objects against the head. */
  async endCycle(): Promise<void> {
    const live = await configMapNames(this.kc, this.namespace, "cm-");
    this.counts.cycles++;
    this.counts.wrongDeletions += this.wrongDeletions().length;
    this.counts.lost += this.head.filter((n) => !live.includes(n)).length;
    this.counts.orphans += live.filter((n) => !this.head.includes(n)).length;
  }

  /** What a failing wait prints. */
  async describe(): Promise<unknown> {
    const ks: FluxObject | undefined = await readKs(this.kc, this.namespace, this.name);
    const gr = await readGr(this.kc, this.namespace, this.name);
    return {
      head: this.headRevision,
      ks: { ready: readyOf(ks), applied: ks?.status?.lastAppliedRevision },
      gr: { ready: readyOf(gr), artifact: gr?.status?.artifact },
      live: await configMapNames(this.kc, this.namespace, "cm-"),
    };
  }
}

/** The line CI output shows for a fault test. */
export function countsLine(what: string, c: FaultCounts): string {
  return `[faults] ${what}: cycles=${c.cycles} wrong deletions=${c.wrongDeletions} lost=${c.lost} orphans=${c.orphans}`;
}
