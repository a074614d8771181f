/**
 * Issue 14: SIGKILL at random points while a change is applied and pruned, 20 times. After each
 * kill a new controller process (alternately on the same storage and on an empty one, as after a
 * container restart and a pod move) must converge on the head commit; no object still in Git may
 * ever be deleted, none may be lost, none left behind.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, kubeconfigPath, testKubeConfig } from "../support/kube.js";
import { killHard, type ControllerProcess } from "./support/controller-process.js";
import { configMapNames, readKs } from "./support/fixtures.js";
import { countsLine, Scene } from "./support/scene.js";

const CYCLES = 20;
const kc = testKubeConfig();
let scene: Scene;
let proc: ControllerProcess;

beforeAll(async () => {
  scene = await Scene.create(kc, { kubeconfig: kubeconfigPath(), size: 80 });
});

afterAll(() => scene?.close());

const start = (storagePath?: string): Promise<ControllerProcess> =>
  scene.startController(storagePath ? { storagePath } : {});

/** True once the Kustomization reports progress on the head revision (the apply is under way). */
async function workingOnHead(): Promise<true | undefined> {
  const ks = await readKs(kc, scene.namespace, scene.name);
  const reconciling = ks?.status?.conditions?.find((c) => c.type === "Reconciling");
  const started = reconciling?.message?.includes(scene.headRevision) === true;
  return started || ks?.status?.lastAppliedRevision === scene.headRevision ? true : undefined;
}

/**
 * Where the kill landed, from the cluster's point of view: before any new object existed, part way
 * through the apply, part way through the prune (all new objects there, some old ones still), or
 * after the change was done.
 */
async function phaseAtKill(): Promise<string> {
  const live = await configMapNames(kc, scene.namespace, "cm-").catch(() => undefined);
  if (live === undefined) return "unknown";
  const missing = scene.head.filter((n) => !live.includes(n)).length;
  const stale = live.filter((n) => !scene.head.includes(n)).length;
  if (missing === 0) return stale === 0 ? "after" : "mid-prune";
  // Each change adds half a set: all of it missing means the apply had not created anything yet.
  return missing < scene.size / 2 ? "mid-apply" : "before-apply";
}

describe("SIGKILL mid-apply and mid-prune (issue 14)", () => {
  it(`${CYCLES} kills at random points: converges, never deletes what is in Git, loses nothing`, async ({
    task,
  }) => {
    proc = await start();
    await eventually(
      "first convergence",
      () => scene.converged(),
      () => scene.describe(),
      { timeoutMs: 120_000 },
    );
    const steps = new Map<string, number>();
    for (let cycle = 1; cycle <= CYCLES; cycle++) {
      await scene.push(cycle);
      await scene.requestReconcile();
      await eventually(
        "the Kustomization to start on the new revision",
        workingOnHead,
        () => scene.describe(),
        {
          intervalMs: 50,
        },
      );
      await sleep(Math.random() * 1500); // the point: SIGKILL at a random step of the reconcile
      const step = await phaseAtKill();
      steps.set(step, (steps.get(step) ?? 0) + 1);
      await killHard(proc);
      proc = await start(cycle % 2 === 0 ? proc.storagePath : undefined);
      await eventually(
        `convergence after kill ${cycle}`,
        () => scene.converged(),
        () => scene.describe(),
        {
          timeoutMs: 120_000,
        },
      );
      await scene.endCycle();
    }
    const line = `${countsLine("SIGKILL mid-apply/prune", scene.counts)} kills by phase: ${JSON.stringify(Object.fromEntries(steps))}`;
    console.log(line);
    task.meta.faults = line;
    expect(scene.counts).toEqual({ cycles: CYCLES, wrongDeletions: 0, lost: 0, orphans: 0 });
  }, 900_000);
});
