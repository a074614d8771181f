/**
 * Issue 14: kube-apiserver restarted mid-reconcile. This file runs its own control plane (the
 * shared one must stay up for other files) and restarts the API server while a change is being
 * applied and pruned. The controller must stay up (no leader election here, so nothing forces a
 * restart), delete nothing still in Git, and converge once the server is back.
 */
import { resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { KubeConfig } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GIT_REPOSITORY, KUSTOMIZATION } from "../../src/api/constants.js";
import { applyManifestDir, waitForCrdsEstablished } from "../../src/dev/apply-manifests.js";
import { ensureControlPlaneBinaries } from "../../src/dev/control-plane/build.js";
import { defaultCacheRoot } from "../../src/dev/control-plane/cache.js";
import { startControlPlane, type ControlPlane } from "../../src/dev/control-plane/control-plane.js";
import { KUBERNETES_VERSION } from "../../src/dev/control-plane/versions.js";
import { eventually } from "../support/kube.js";
import { countsLine, Scene } from "./support/scene.js";

const CYCLES = 2;
let cp: ControlPlane;
let kc: KubeConfig;
let scene: Scene;

beforeAll(async () => {
  const binaries = await ensureControlPlaneBinaries({
    cacheRoot: defaultCacheRoot(process.env),
    kubernetesVersion: KUBERNETES_VERSION,
    log: () => undefined,
  });
  cp = await startControlPlane({ binaries, log: () => undefined });
  kc = new KubeConfig();
  kc.loadFromFile(cp.kubeconfigPath);
  await applyManifestDir(kc, resolve(import.meta.dirname, "..", "..", "crds"), "mooring-tests");
  await waitForCrdsEstablished(kc, [GIT_REPOSITORY.crdName, KUSTOMIZATION.crdName]);
  scene = await Scene.create(kc, { kubeconfig: cp.kubeconfigPath, size: 120 });
});

afterAll(async () => {
  await scene?.close();
  await cp?.stop();
});

describe("API server restart mid-reconcile (issue 14)", () => {
  it("the controller rides it out and converges without deleting what is in Git", async ({ task }) => {
    const proc = await scene.startController();
    await eventually(
      "first convergence",
      () => scene.converged(),
      () => scene.describe(),
      { timeoutMs: 120_000 },
    );
    for (let cycle = 1; cycle <= CYCLES; cycle++) {
      await scene.push(cycle);
      await scene.requestReconcile();
      await sleep(300 + Math.random() * 1200); // the point: the API server goes at a random moment
      await cp.restartApiServer(3_000 + Math.random() * 5_000);
      await scene.requestReconcile().catch(() => undefined);
      await eventually(
        `convergence after restart ${cycle}`,
        () => scene.converged(),
        () => scene.describe(),
        {
          timeoutMs: 180_000,
        },
      );
      await scene.endCycle();
      expect(proc.alive()).toBe(true);
    }
    const line = `${countsLine("API server restart", scene.counts)} controller restarts=0`;
    console.log(line);
    task.meta.faults = line;
    expect(scene.counts).toEqual({ cycles: CYCLES, wrongDeletions: 0, lost: 0, orphans: 0 });
  });
});
