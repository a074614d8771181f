import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Artifact, Kustomization } from "../api/index.js";
import type { InventoryEntry } from "../apply/inventory.js";
import type { KubeObject } from "../apply/types.js";
import { kustomizationOptions } from "./options.js";
import {
  deletionPlan,
  formatDeletionList,
  guardMessage,
  MAX_LISTED_OBJECTS,
  type PrunePolicy,
  prunePolicyOf,
  pruneGuardVerdict,
} from "./prune-guard.js";
import { KustomizationReconciler } from "./reconciler.js";
import { ArtifactServer, FakeApply, FakeClient, testContext, testKustomization } from "./test-fakes.js";

const entry = (name: string): InventoryEntry => ({ id: `apps_${name}__ConfigMap`, v: "v1" });
const object = (name: string): KubeObject => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name, namespace: "apps" },
});
const inventory = (n: number): InventoryEntry[] => Array.from({ length: n }, (_, i) => entry(`c${i}`));
const objects = (names: number[]): KubeObject[] => names.map((i) => object(`c${i}`));
const policy = (over: Partial<PrunePolicy> = {}): PrunePolicy => ({
  allowEmpty: false,
  budgetPercent: undefined,
  ...over,
});
const annotated = (annotations: Record<string, string>): Kustomization => {
  const ks = testKustomization("app");
  ks.metadata.annotations = annotations;
  return ks;
};

describe("prunePolicyOf", () => {
  it("reads mooring.dev/allow-empty and mooring.dev/prune-budget", () => {
    expect(prunePolicyOf(testKustomization("app"))).toEqual(policy());
    expect(
      prunePolicyOf(annotated({ "mooring.dev/allow-empty": "true", "mooring.dev/prune-budget": "30%" })),
    ).toEqual({ allowEmpty: true, budgetPercent: 30 });
    expect(prunePolicyOf(annotated({ "mooring.dev/allow-empty": "False" })).allowEmpty).toBe(false);
    expect(prunePolicyOf(annotated({ "mooring.dev/prune-budget": "0%" })).budgetPercent).toBe(0);
    expect(prunePolicyOf(annotated({ "mooring.dev/prune-budget": "100%" })).budgetPercent).toBe(100);
  });

  it.each([
    [
      "mooring.dev/allow-empty",
      "yes",
      /invalid annotation mooring\.dev\/allow-empty: "yes": expected "true" or "false"/,
    ],
    [
      "mooring.dev/prune-budget",
      "30",
      /invalid annotation mooring\.dev\/prune-budget: "30": expected a percentage/,
    ],
    ["mooring.dev/prune-budget", "120%", /"120%": expected a percentage from "0%" to "100%"/],
    ["mooring.dev/prune-budget", "-5%", /"-5%"/],
    ["mooring.dev/prune-budget", "12.5%", /"12\.5%"/],
  ])("%s: %s stalls with InvalidAnnotation", (key, value, message) => {
    expect(() => prunePolicyOf(annotated({ [key]: value }))).toThrow(
      expect.objectContaining({
        kind: "stalling",
        reason: "InvalidAnnotation",
        message: expect.stringMatching(message),
      }),
    );
  });
});

describe("pruneGuardVerdict", () => {
  it("stops a plan that deletes the whole inventory, naming the opt-in and the flag", () => {
    const verdict = pruneGuardVerdict(deletionPlan(inventory(3), []), policy(), true);
    expect(verdict?.rule).toBe("empty");
    const message = verdict === undefined ? "" : guardMessage(verdict);
    expect(message).toMatch(
      /^prune guard: this revision would delete all 3 objects in the inventory and keep none; nothing was applied or deleted\. /,
    );
    expect(message).toContain('mooring.dev/allow-empty: "true"');
    expect(message).toContain("--prune-guard=false");
  });

  it("lets through: partial prunes, allow-empty, the flag off, an empty inventory", () => {
    expect(pruneGuardVerdict(deletionPlan(inventory(3), objects([0])), policy(), true)).toBeUndefined();
    expect(
      pruneGuardVerdict(deletionPlan(inventory(3), []), policy({ allowEmpty: true }), true),
    ).toBeUndefined();
    expect(pruneGuardVerdict(deletionPlan(inventory(3), []), policy(), false)).toBeUndefined();
    expect(pruneGuardVerdict(deletionPlan([], []), policy(), true)).toBeUndefined();
  });

  it("a budget caps the share one revision deletes, whatever allow-empty and the flag say", () => {
    const budget = policy({ budgetPercent: 30 });
    // 3 of 10 is exactly 30%: allowed; 4 of 10 is not.
    expect(
      pruneGuardVerdict(deletionPlan(inventory(10), objects([3, 4, 5, 6, 7, 8, 9])), budget, true),
    ).toBeUndefined();
    const over = pruneGuardVerdict(deletionPlan(inventory(10), objects([4, 5, 6, 7, 8, 9])), budget, true);
    expect(over?.rule).toBe("budget");
    expect(over?.summary).toBe(
      "this revision would delete 4 of 10 objects in the inventory (40%), more than mooring.dev/prune-budget allows (30%)",
    );
    expect(over?.remedy).toContain("raise or remove the mooring.dev/prune-budget annotation");
    const empty = deletionPlan(inventory(10), []);
    expect(pruneGuardVerdict(empty, { allowEmpty: true, budgetPercent: 30 }, false)?.rule).toBe("budget");
    expect(pruneGuardVerdict(empty, policy({ budgetPercent: 100 }), true)?.rule).toBe("empty");
    expect(
      pruneGuardVerdict(deletionPlan(inventory(1), objects([0])), policy({ budgetPercent: 0 }), true),
    ).toBeUndefined();
  });

  it("counts each inventory id once", () => {
    const plan = deletionPlan([...inventory(2), entry("c0")], objects([1]));
    expect(plan).toMatchObject({ inventorySize: 2, stale: [{ name: "c0" }] });
  });
});

describe("formatDeletionList", () => {
  it("lists objects as Kind/namespace/name and bounds the list with a count", () => {
    expect(formatDeletionList(deletionPlan(inventory(2), []).stale)).toBe(
      "ConfigMap/apps/c0\nConfigMap/apps/c1",
    );
    const long = formatDeletionList(deletionPlan(inventory(MAX_LISTED_OBJECTS + 7), []).stale).split("\n");
    expect(long).toHaveLength(MAX_LISTED_OBJECTS + 1);
    expect(long.at(-1)).toBe("(and 7 more)");
  });
});

describe("the reconciler with the prune guard", () => {
  const server = new ArtifactServer();
  beforeAll(() => server.start());
  afterAll(() => server.stop());
  const cm = (name: string): string =>
    `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: apps\n`;
  let client: FakeClient;
  let apply: FakeApply;

  const setSource = (artifact: Artifact): void => {
    client.sources.set("GitRepository/flux/repo", {
      apiVersion: "source.toolkit.fluxcd.io/v1",
      kind: "GitRepository",
      metadata: { name: "repo", namespace: "flux" },
      status: { artifact },
    });
  };
  const reconciler = (pruneGuard: boolean): KustomizationReconciler =>
    new KustomizationReconciler({
      client,
      apply,
      options: kustomizationOptions({ jitterPercent: 0, pruneGuard }),
    });
  const reconcile = (rec: KustomizationReconciler) =>
    rec.reconcile({ namespace: "flux", name: "app" }, testContext());
  const cond = (type: string) => client.get("flux", "app").status?.conditions?.find((c) => c.type === type);
  const ids = (): string[] | undefined =>
    client.get("flux", "app").status?.inventory?.entries.map((e) => e.id);

  /** Applies two ConfigMaps, then publishes a revision with an empty path. */
  async function emptied(tag: string): Promise<void> {
    setSource(
      await server.publish(`${tag}1`, "main@sha1:1", { "deploy/a.yaml": cm("a"), "deploy/b.yaml": cm("b") }),
    );
    await reconcile(reconciler(true));
    expect(cond("Ready")?.status).toBe("True");
    setSource(await server.publish(`${tag}2`, "main@sha1:2", { "deploy/.keep": "" }));
    apply.calls.length = 0;
    client.events.length = 0;
  }

  beforeEach(() => {
    client = new FakeClient();
    apply = new FakeApply();
    client.put(testKustomization("app"));
  });

  it("an emptied path stalls with PruneGuardTriggered: nothing applied or deleted, inventory kept, objects in the event", async () => {
    await emptied("g");
    expect(await reconcile(reconciler(true))).toEqual({ kind: "done" });
    expect(apply.calls).toEqual([]);
    expect(cond("Ready")).toMatchObject({ status: "False", reason: "PruneGuardTriggered" });
    expect(cond("Stalled")).toMatchObject({ status: "True", reason: "PruneGuardTriggered" });
    expect(ids()).toEqual(["apps_a__ConfigMap", "apps_b__ConfigMap"]);
    expect(client.get("flux", "app").status?.lastAppliedRevision).toBe("main@sha1:1");
    const warning = client.events.find((e) => e.reason === "PruneGuardTriggered");
    expect(warning?.type).toBe("Warning");
    expect(warning?.message).toMatch(/would delete 2 objects:\nConfigMap\/apps\/a\nConfigMap\/apps\/b$/);
    expect(cond("Ready")?.message).not.toContain("ConfigMap/apps/a");
  });

  it('mooring.dev/allow-empty: "true" lets the emptied path prune everything', async () => {
    await emptied("a");
    const ks = client.get("flux", "app");
    ks.metadata.annotations = { "mooring.dev/allow-empty": "true" };
    client.put(ks);
    await reconcile(reconciler(true));
    expect(apply.calls).toContain("delete a,b");
    expect(cond("Ready")?.status).toBe("True");
    expect(ids()).toEqual([]);
  });

  it("--prune-guard=false restores Flux's behaviour", async () => {
    await emptied("f");
    await reconcile(reconciler(false));
    expect(apply.calls).toContain("delete a,b");
    expect(cond("Ready")?.status).toBe("True");
  });

  it("an invalid guard annotation stalls before anything is fetched or applied", async () => {
    await emptied("i");
    const ks = client.get("flux", "app");
    ks.metadata.annotations = { "mooring.dev/prune-budget": "lots" };
    client.put(ks);
    await reconcile(reconciler(true));
    expect(apply.calls).toEqual([]);
    expect(cond("Stalled")).toMatchObject({ status: "True", reason: "InvalidAnnotation" });
    expect(ids()).toEqual(["apps_a__ConfigMap", "apps_b__ConfigMap"]);
  });
});
