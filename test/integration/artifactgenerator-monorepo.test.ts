/**
 * Issue 16, item 3 and its acceptance, on the real control plane with a real git server and the
 * real controller in process: one GitRepository, an ArtifactGenerator with three outputs (one per
 * app directory, `originRevision: "@repo"` as in Flux's decomposition example) and a Kustomization
 * on each generated ExternalArtifact. A commit touching one app changes exactly one
 * ExternalArtifact revision and re-applies exactly one Kustomization: the other two are not
 * reconciled at all (their reconcile counts in /metrics do not move). Then an output removed from
 * the spec loses its ExternalArtifact, and deleting the generator removes the rest.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { type GitRepo, type GitServer, startGitServer } from "../../src/dev/git-server/index.js";
import { type OwnedController, startOwnedController } from "../support/in-process-controller.js";
import { assertKstatusRules } from "../support/kustomization-harness.js";
import {
  eventually,
  kubectlOk,
  randomSuffix,
  readObject,
  useTestNamespace,
  waitForCondition,
  waitForObject,
} from "../support/kube.js";

const ns = useTestNamespace("ag-monorepo");
const shard = `ag-${randomSuffix()}`;
const labels = { "sharding.fluxcd.io/key": shard };
const GR = { apiVersion: "source.toolkit.fluxcd.io/v1", kind: "GitRepository" } as const;
const AG = { apiVersion: "source.extensions.fluxcd.io/v1beta1", kind: "ArtifactGenerator" } as const;
const EA = { apiVersion: "source.toolkit.fluxcd.io/v1", kind: "ExternalArtifact" } as const;
const KS = { apiVersion: "kustomize.toolkit.fluxcd.io/v1", kind: "Kustomization" } as const;
const APPS = ["frontend", "backend", "worker"] as const;

let controller: OwnedController | undefined;
let git: GitServer | undefined;
let repo: GitRepo | undefined;

type Obj = {
  metadata: { name: string; labels?: Record<string, string>; resourceVersion?: string; generation?: number };
  spec?: Record<string, unknown>;
  status?: {
    artifact?: { revision: string; digest: string; url: string; metadata?: Record<string, string> };
    conditions?: {
      type: string;
      status: string;
      reason: string;
      message: string;
      observedGeneration?: number;
    }[];
    inventory?: { name: string; namespace: string; digest: string; filename: string }[];
    lastAppliedRevision?: string;
    observedSourcesDigest?: string;
  };
};

const configMap = (app: string, version: string): string =>
  stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: app }, data: { version } });

async function apply(obj: object): Promise<void> {
  await kubectlOk(["apply", "-f", "-"], stringify(obj));
}

const read = async (type: { apiVersion: string; kind: string }, name: string): Promise<Obj> =>
  (await readObject({ ...type, name, namespace: ns() })) as unknown as Obj;

/** `gotk_reconcile_duration_seconds_count` of one object, scraped from /metrics. */
async function reconcileCount(kind: string, name: string): Promise<number> {
  const text = await (
    await fetch(`http://127.0.0.1:${controller?.running.manager.ports.metrics ?? 0}/metrics`)
  ).text();
  const line = text
    .split("\n")
    .find(
      (l) =>
        l.startsWith("gotk_reconcile_duration_seconds_count{") &&
        l.includes(`kind="${kind}"`) &&
        l.includes(`name="${name}"`) &&
        l.includes(`namespace="${ns()}"`),
    );
  return line === undefined ? 0 : Number(line.split(" ").at(-1));
}

/** kstatus rules for an ArtifactGenerator (no status.observedGeneration in Flux's schema). */
function assertGeneratorStatus(ag: Obj): void {
  const is = (t: string, s: string) => ag.status?.conditions?.some((c) => c.type === t && c.status === s);
  const ready = ag.status?.conditions?.find((c) => c.type === "Ready");
  if (is("Ready", "True")) {
    expect(is("Reconciling", "True") || is("Stalled", "True")).toBe(false);
    expect(ready?.observedGeneration).toBe(ag.metadata.generation);
  }
  expect(is("Stalled", "True") && is("Reconciling", "True")).toBe(false);
}

beforeAll(async () => {
  git = await startGitServer();
  repo = await git.createRepo("mono", { defaultBranch: "main" });
  const files: Record<string, string> = { "README.md": "monorepo\n" };
  for (const app of APPS) files[`apps/${app}/cm.yaml`] = configMap(app, "1");
  await repo.commit({ files, message: "three apps" });
  controller = await startOwnedController({
    shard,
    instance: "ag-monorepo-test",
    flags: { featureGates: "ExternalArtifact=true" },
  });
}, 60_000);

afterAll(async () => {
  await controller?.stop();
  await git?.stop();
});

const generatorSpec = (apps: readonly string[]) => ({
  sources: [{ alias: "repo", kind: "GitRepository", name: "mono" }],
  artifacts: apps.map((app) => ({
    name: app,
    originRevision: "@repo",
    copy: [{ from: `@repo/apps/${app}/**`, to: "@artifact/" }],
  })),
});

describe("ArtifactGenerator over a monorepo (issue 16)", () => {
  it("one GitRepository, three outputs, three Kustomizations: a commit touching one app re-applies only that one", async () => {
    const url = repo?.url ?? "";
    await apply({
      ...GR,
      metadata: { name: "mono", namespace: ns(), labels },
      spec: { url, interval: "1h", ref: { branch: "main" } },
    });
    await apply({ ...AG, metadata: { name: "apps", namespace: ns(), labels }, spec: generatorSpec(APPS) });
    for (const app of APPS) {
      const spec = {
        interval: "1h",
        prune: true,
        path: "./",
        targetNamespace: ns(),
        sourceRef: { kind: "ExternalArtifact", name: app },
      };
      await apply({ ...KS, metadata: { name: app, namespace: ns(), labels }, spec });
    }
    const ag = (await waitForCondition({ ...AG, name: "apps", namespace: ns() }, "Ready", "True", {
      timeoutMs: 90_000,
    })) as unknown as Obj;
    assertGeneratorStatus(ag);
    expect(ag.status?.conditions?.find((c) => c.type === "Ready")).toMatchObject({
      reason: "Succeeded",
      message: "reconciliation succeeded, generated 3 artifact(s)",
    });
    expect(ag.status?.inventory?.map((r) => r.name)).toEqual([...APPS]);
    const commit1 = `main@sha1:${await repo?.revParse("main")}`;
    const before = new Map<string, Obj>();
    for (const app of APPS) {
      const ea = await read(EA, app);
      expect(ea.status?.artifact?.revision).toMatch(/^latest@sha256:[0-9a-f]{64}$/);
      expect(ea.status?.artifact?.metadata).toEqual({ "org.opencontainers.image.revision": commit1 });
      expect(ea.metadata.labels?.["source.extensions.fluxcd.io/generator"]).toBeDefined();
      expect(ea.spec?.sourceRef).toEqual({
        apiVersion: AG.apiVersion,
        kind: AG.kind,
        name: "apps",
        namespace: ns(),
      });
      const ks = (await waitForObject(
        { ...KS, name: app, namespace: ns() },
        (o) => (o as unknown as Obj).status?.lastAppliedRevision === ea.status?.artifact?.revision,
        { timeoutMs: 90_000 },
      )) as unknown as Obj;
      assertKstatusRules(ks);
      before.set(app, ea);
    }
    expect(new Set(APPS.map((a) => before.get(a)?.status?.artifact?.revision)).size).toBe(3);
    const counts = new Map<string, number>();
    for (const app of APPS) counts.set(app, await reconcileCount("Kustomization", app));

    // A commit touching backend only; the GitRepository is asked to look now (interval 1h).
    await repo?.commit({
      files: { "apps/backend/cm.yaml": configMap("backend", "2") },
      message: "backend v2",
    });
    const commit2 = `main@sha1:${await repo?.revParse("main")}`;
    await kubectlOk([
      "annotate",
      "--overwrite",
      "gitrepository",
      "mono",
      "-n",
      ns(),
      `reconcile.fluxcd.io/requestedAt=${Date.now()}`,
    ]);
    const backend = (await waitForObject(
      { ...EA, name: "backend", namespace: ns() },
      (o) =>
        (o as unknown as Obj).status?.artifact?.revision !==
        before.get("backend")?.status?.artifact?.revision,
      { timeoutMs: 90_000 },
    )) as unknown as Obj;
    await waitForObject(
      { ...KS, name: "backend", namespace: ns() },
      (o) => (o as unknown as Obj).status?.lastAppliedRevision === backend.status?.artifact?.revision,
      { timeoutMs: 90_000 },
    );
    await waitForObject(
      { apiVersion: "v1", kind: "ConfigMap", name: "backend", namespace: ns() },
      (o) => (o as { data?: { version?: string } }).data?.version === "2",
    );
    const agAfter = (await waitForObject(
      { ...AG, name: "apps", namespace: ns() },
      (o) => (o as unknown as Obj).status?.observedSourcesDigest !== ag.status?.observedSourcesDigest,
    )) as unknown as Obj;
    assertGeneratorStatus(agAfter);

    for (const app of ["frontend", "worker"]) {
      const ea = await read(EA, app);
      // Same content, same revision and digest; only the origin revision (Flux's originRevision) moved.
      expect(ea.status?.artifact?.revision).toBe(before.get(app)?.status?.artifact?.revision);
      expect(ea.status?.artifact?.digest).toBe(before.get(app)?.status?.artifact?.digest);
      expect(ea.status?.artifact?.metadata).toEqual({ "org.opencontainers.image.revision": commit2 });
      const ks = await read(KS, app);
      expect(ks.status?.lastAppliedRevision).toBe(before.get(app)?.status?.artifact?.revision);
      expect(await reconcileCount("Kustomization", app)).toBe(counts.get(app));
    }
    expect(await reconcileCount("Kustomization", "backend")).toBeGreaterThan(counts.get("backend") ?? 0);
    const revisions = APPS.map(async (app) => (await read(EA, app)).status?.artifact?.revision);
    const changed = (await Promise.all(revisions)).filter(
      (r, i) => r !== before.get(APPS[i] ?? "")?.status?.artifact?.revision,
    );
    expect(changed).toHaveLength(1);
  }, 300_000);

  it("an output removed from the spec loses its ExternalArtifact; deleting the generator removes the rest", async () => {
    await apply({
      ...AG,
      metadata: { name: "apps", namespace: ns(), labels },
      spec: generatorSpec(["frontend", "backend"]),
    });
    await eventually("ExternalArtifact worker deleted", async () =>
      (await read(EA, "worker")) === undefined ? true : undefined,
    );
    const ag = (await waitForObject(
      { ...AG, name: "apps", namespace: ns() },
      (o) => (o as unknown as Obj).status?.inventory?.length === 2,
    )) as unknown as Obj;
    expect(ag.status?.inventory?.map((r) => r.name)).toEqual(["frontend", "backend"]);
    await kubectlOk(["delete", "artifactgenerator", "apps", "-n", ns(), "--wait=true", "--timeout=60s"]);
    for (const app of ["frontend", "backend"]) {
      await eventually(`ExternalArtifact ${app} deleted`, async () =>
        (await read(EA, app)) === undefined ? true : undefined,
      );
    }
  }, 180_000);
});
