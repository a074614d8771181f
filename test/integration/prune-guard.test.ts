/**
 * Issue 20, item 1, on the real control plane: the prune guard. A commit that empties a path
 * stalls the Kustomization with PruneGuardTriggered, deletes nothing and keeps the inventory;
 * `mooring.dev/allow-empty` then lets it through; `mooring.dev/prune-budget` stops a revision that
 * deletes more than its share; `mooring diff` says the guard would stop; with `--prune-guard=false`
 * the empty commit prunes everything, as Flux does.
 */
import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { runCli } from "../../src/cli/program.js";
import type { GitRepo } from "../../src/dev/git-server/index.js";
import {
  conditionOf,
  eventually,
  kubeconfigPath,
  randomSuffix,
  readObject,
  useTestNamespace,
} from "../support/kube.js";
import { KustomizationHarness, kubectlOk } from "../support/kustomization-harness.js";

const ns = useTestNamespace("prune-guard");
let harness: KustomizationHarness;

const cm = (name: string): string =>
  stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: ns() }, data: { k: name } });
/** A path `app` holding ConfigMaps `names` (an empty `resources` list when there are none). */
const appFiles = (names: string[], gone: string[] = []): Record<string, string | null> => ({
  "app/kustomization.yaml": stringify({ resources: names.map((n) => `${n}.yaml`) }),
  ...Object.fromEntries(names.map((n) => [`app/${n}.yaml`, cm(n)])),
  ...Object.fromEntries(gone.map((n) => [`app/${n}.yaml`, null])),
});
const configMap = (name: string) =>
  readObject({ apiVersion: "v1", kind: "ConfigMap", name, namespace: ns() });
interface KsStatus {
  status?: { inventory?: { entries: { id: string }[] }; lastAppliedRevision?: string };
}
const inventoryIds = async (ks: string): Promise<string[]> =>
  (((await harness.ks(ks)) as KsStatus).status?.inventory?.entries ?? []).map((e) => e.id);

/** A repo and Kustomization `name` that applied ConfigMaps `names`; returns the repo. */
async function applied(
  h: KustomizationHarness,
  name: string,
  names: string[],
  annotations: Record<string, string> = {},
): Promise<GitRepo> {
  const repo = await h.git.createRepo(`${name}-${randomSuffix()}`);
  await repo.commit({ files: appFiles(names) });
  await h.createSource(repo, name);
  await h.createKs(name, { sourceRef: { kind: "GitRepository", name }, path: "./app" });
  if (Object.keys(annotations).length > 0) await annotate(name, annotations);
  await h.condition(name, "Ready", "True", "ReconciliationSucceeded");
  for (const n of names) expect(await configMap(n)).toBeDefined();
  return repo;
}

async function annotate(ks: string, annotations: Record<string, string>): Promise<void> {
  const pairs = Object.entries(annotations).map(([k, v]) => `${k}=${v}`);
  await kubectlOk(["annotate", "--overwrite", "kustomization", ks, "-n", ns(), ...pairs]);
}

/** Runs the CLI in-process and captures what it prints. */
async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const io = { stdout: (t: string) => (out += t), stderr: (t: string) => (err += t), tty: false, env: {} };
  const code = await runCli([...argv, "--kubeconfig", kubeconfigPath()], io);
  return { code, out, err };
}

beforeAll(async () => {
  harness = await KustomizationHarness.start(ns);
});

afterAll(async () => {
  await harness?.stop();
});

describe("the prune guard (issue 20)", () => {
  it("mooring diff against an emptied path prints the deletion plan and says the guard would stop it", async () => {
    await applied(harness, "diffed", ["d1", "d2"]);
    const dir = await mkdtemp(join(tmpdir(), "prune-guard-diff-"));
    try {
      await mkdir(join(dir, "app"));
      await writeFile(join(dir, "app", "kustomization.yaml"), "resources: []\n");
      const res = await cli("diff", "ks", "diffed", "--path", join(dir, "app"), "-n", ns());
      expect(res.code).toBe(1);
      expect(res.out).toContain(`► ConfigMap/${ns()}/d1 deleted`);
      expect(res.out).toContain("deletion plan: 2 of 2 inventory objects are no longer in the build");
      expect(res.out).toContain(
        "✗ the prune guard would stop this revision (PruneGuardTriggered): this revision would delete all 2 objects",
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 180_000);

  it("an empty commit stalls with nothing deleted and the inventory unchanged; allow-empty then prunes", async () => {
    const repo = await applied(harness, "emptied", ["a", "b", "c"]);
    const before = await inventoryIds("emptied");
    expect(before).toHaveLength(3);
    await repo.commit({ files: appFiles([], ["a", "b", "c"]), message: "empty the path" });
    const revision = await harness.refreshSource(repo, "emptied");
    const stalled = await harness.condition("emptied", "Stalled", "True", "PruneGuardTriggered");
    expect(conditionOf(stalled, "Ready")).toMatchObject({ status: "False", reason: "PruneGuardTriggered" });
    expect(conditionOf(stalled, "Ready")?.message).toMatch(
      /^prune guard: this revision would delete all 3 objects in the inventory and keep none; nothing was applied or deleted\. .*mooring\.dev\/allow-empty: "true"/,
    );
    expect(stalled.status.lastAttemptedRevision).toBe(revision);
    expect(stalled.status.lastAppliedRevision).not.toBe(revision);
    expect(await inventoryIds("emptied")).toEqual(before);
    for (const n of ["a", "b", "c"]) expect(await configMap(n)).toBeDefined();
    const warning = await eventually("the guard's Warning event", async () =>
      (await harness.events("emptied")).find((e) => e.reason === "PruneGuardTriggered"),
    );
    expect(warning.type).toBe("Warning");
    for (const n of ["a", "b", "c"]) expect(warning.message).toContain(`ConfigMap/${ns()}/${n}`);
    expect(warning.message).toContain("would delete 3 objects:");

    await annotate("emptied", { "mooring.dev/allow-empty": "true" });
    const ready = await harness.condition("emptied", "Ready", "True", "ReconciliationSucceeded");
    expect(ready.status.lastAppliedRevision).toBe(revision);
    expect(await inventoryIds("emptied")).toEqual([]);
    for (const n of ["a", "b", "c"]) expect(await configMap(n)).toBeUndefined();
  }, 240_000);

  it("a prune budget stops a revision deleting more than its share, and lets a smaller one through", async () => {
    const names = ["b1", "b2", "b3", "b4"];
    const repo = await applied(harness, "budgeted", names, { "mooring.dev/prune-budget": "25%" });
    await repo.commit({ files: appFiles(["b1", "b2"], ["b3", "b4"]), message: "drop two of four" });
    await harness.refreshSource(repo, "budgeted");
    const stalled = await harness.condition("budgeted", "Stalled", "True", "PruneGuardTriggered");
    expect(conditionOf(stalled, "Ready")?.message).toContain(
      "this revision would delete 2 of 4 objects in the inventory (50%), more than mooring.dev/prune-budget allows (25%)",
    );
    for (const n of names) expect(await configMap(n)).toBeDefined();
    expect(await inventoryIds("budgeted")).toHaveLength(4);

    await annotate("budgeted", { "mooring.dev/prune-budget": "50%" });
    await harness.condition("budgeted", "Ready", "True", "ReconciliationSucceeded");
    expect(await configMap("b3")).toBeUndefined();
    expect(await configMap("b4")).toBeUndefined();
    expect(await inventoryIds("budgeted")).toHaveLength(2);
  }, 240_000);

  it("an invalid budget stalls with InvalidAnnotation", async () => {
    await applied(harness, "typo", ["t1"]);
    await annotate("typo", { "mooring.dev/prune-budget": "half" });
    const stalled = await harness.condition("typo", "Stalled", "True", "InvalidAnnotation");
    expect(conditionOf(stalled, "Ready")?.message).toBe(
      'invalid annotation mooring.dev/prune-budget: "half": expected a percentage from "0%" to "100%"',
    );
    expect(await configMap("t1")).toBeDefined();
  }, 180_000);
});

describe("--prune-guard=false (issue 20)", () => {
  let flux: KustomizationHarness;
  beforeAll(async () => {
    flux = await KustomizationHarness.start(ns, { pruneGuard: false });
  });
  afterAll(async () => {
    await flux?.stop();
  });

  it("restores Flux's behaviour: the empty commit prunes everything and the Kustomization is Ready", async () => {
    const repo = await applied(flux, "fluxlike", ["f1", "f2"]);
    await repo.commit({ files: appFiles([], ["f1", "f2"]), message: "empty the path" });
    const revision = await flux.refreshSource(repo, "fluxlike");
    await eventually("the empty revision applied", async () => {
      const ks = (await flux.ks("fluxlike")) as KsStatus;
      return ks.status?.lastAppliedRevision === revision ? true : undefined;
    });
    await flux.condition("fluxlike", "Ready", "True", "ReconciliationSucceeded");
    expect(await configMap("f1")).toBeUndefined();
    expect(await configMap("f2")).toBeUndefined();
    expect((await flux.ks("fluxlike")).status?.inventory?.entries ?? []).toEqual([]);
  }, 180_000);
});
