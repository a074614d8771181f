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
import { readKs } from "./support/fixtures.js";
import { countsLine, Scene } from "./support/scene.js";

const CYCLES = 20;
const kc = testKubeConfig();
let scene: Scene;
let proc: ControllerProcess;

beforeAll(async () => {
  scene = await Scene.create(kc, { kubeconfig: kubeconfigPath(), size: 120 });
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

/** The step the Kustomization reported when the kill landed (its Reconciling message). */
async function stepAtKill(): Promise<string> {
  const ks = await readKs(kc, scene.namespace, scene.name).catch(() => undefined);
  const reconciling = ks?.status?.conditions?.find((c) => c.type === "Reconciling");
  return reconciling?.status === "True" ? (reconciling.message ?? "").split(" for ")[0]! : "idle";
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
      await sleep(Math.random() * 1500);
      const step = await stepAtKill();
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
    const line = `${countsLine("SIGKILL mid-apply/prune", scene.counts)} kills by step: ${JSON.stringify(Object.fromEntries(steps))}`;
    console.log(line);
    task.meta.faults = line;
    expect(scene.counts).toEqual({ cycles: CYCLES, wrongDeletions: 0, lost: 0, orphans: 0 });
  }, 900_000);
});
