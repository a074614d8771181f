/** The kind e2e's scenario, step by step; each step logs what it proved. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { must } from "../../src/dev/containers/docker.js";
import { mooringCacheDir } from "../../src/dev/control-plane/cache.js";
import { ensureFluxCli } from "../../src/dev/flux/build.js";
import { timed } from "../../src/dev/kind/cluster.js";
import type { ClusterClient } from "./cluster-client.js";
import type { E2eImages } from "./images.js";
import { demoManifests, GIT_NAMESPACE, gitServerManifests } from "../../src/dev/kind/demo.js";
import {
  assertControllerHealthy,
  assertRbac,
  assertServiceEndpoints,
  assertUninstalled,
  installedClusterObjects,
  SYSTEM_NS,
} from "./steps-controller.js";
import { upgrade } from "./steps-upgrade.js";
import {
  assertDriftCorrected,
  assertFluxCli,
  assertHealthWaitedForRollout,
  assertKept,
  assertRolledOut,
  DemoRepo,
  inventoryUids,
  requestReconcile,
  waitKustomizationReady,
  waitMidReconcile,
} from "./steps-gitops.js";

/** What the scenario needs besides the cluster. */
export interface ScenarioOptions {
  images: E2eImages;
  work: string;
  env: NodeJS.ProcessEnv;
  log: (line: string) => void;
}

/** A readiness delay on the demo pods makes the rollout, and so the health check, take a while. */
const SLOW_ROLLOUT_PATCH = `patches:
  - target:
      kind: Deployment
      name: web
    patch: |
      - op: add
        path: /spec/template/spec/containers/0/readinessProbe
        value:
          tcpSocket:
            port: http
          initialDelaySeconds: 10
          periodSeconds: 2
`;

/** Runs every step against an empty cluster with the images loaded; throws at the first failure. */
export async function runScenario(c: ClusterClient, o: ScenarioOptions): Promise<void> {
  const step = <T>(name: string, work: () => Promise<T>): Promise<T> => timed(o.log, name, work);
  const flux = ensureFluxCli({ cacheRoot: join(mooringCacheDir(o.env), "flux-cli"), log: o.log });

  await step("mooring install: controller Running, 0 restarts, Lease held, own RBAC", async () => {
    await c.mooring("install", "--timeout", "5m");
    await assertControllerHealthy(c, o.images.mooring);
    await assertRbac(c);
  });

  await step("in-cluster git server", async () => {
    await c.apply(gitServerManifests());
    await c.kubectl("-n", GIT_NAMESPACE, "rollout", "status", "deploy/git-server", "--timeout=180s");
  });

  let ks = await step("wait:true Kustomization Ready after a real rollout", async () => {
    await c.apply(demoManifests(SYSTEM_NS));
    const ready = await waitKustomizationReady(c);
    await assertRolledOut(c, 2);
    await assertHealthWaitedForRollout(c, ready);
    return ready;
  });

  const forward = await c.portForward(GIT_NAMESPACE, "git-server", 80);
  try {
    const repo = new DemoRepo(join(o.work, "demo"));
    await must("git clone", "git", ["clone", "-q", `http://127.0.0.1:${forward.port}/demo.git`, repo.dir]);

    ks = await step("pushed change applied, removed file pruned", async () => {
      await repo.change(
        "overlays/prod/kustomization.yaml",
        (t) => t.replace("count: 2", "count: 3"),
        "3 replicas",
      );
      const sha = await repo.change(
        "base/kustomization.yaml",
        (t) => t.replace("  - service.yaml\n", ""),
        "drop the Service",
      );
      await c.mooring("reconcile", "ks", "demo", "-n", SYSTEM_NS, "--with-source");
      const ready = await waitKustomizationReady(c, sha);
      await assertRolledOut(c, 3);
      assert.equal(
        await c.get("service", "web", "demo"),
        undefined,
        "the Service removed from Git was not pruned",
      );
      return ready;
    });

    await step("drift corrected with a 1h interval", () => assertDriftCorrected(c, 3));

    ks = await step(
      "controller pod deleted mid-reconcile; the new pod converges, nothing in Git deleted",
      async () => {
        const before = await inventoryUids(c, ks);
        const old = await assertControllerHealthy(c);
        const marker = "hello from the e2e";
        const sha = await repo.change(
          "overlays/prod/kustomization.yaml",
          (t) =>
            `${t.replace("LOG_LEVEL=info", `LOG_LEVEL=info\n      - GREETING=${marker}`)}${SLOW_ROLLOUT_PATCH}`,
          "slow rollout, new greeting",
        );
        await requestReconcile(c);
        await waitMidReconcile(c, "readinessProbe", sha);
        await c.kubectl("-n", SYSTEM_NS, "delete", "pod", old.metadata.name, "--wait=false");
        const successor = await assertControllerHealthy(c);
        assert.notEqual(successor.metadata.name, old.metadata.name);
        const ready = await waitKustomizationReady(c, sha);
        await assertRolledOut(c, 3);
        assertKept(before, await inventoryUids(c, ready));
        return ready;
      },
    );
  } finally {
    forward.stop();
  }

  await step("/metrics and /healthz through the Service", () => assertServiceEndpoints(c));

  await step("flux CLI: get, reconcile --with-source, tree, events, logs", async () =>
    assertFluxCli(await flux, c),
  );

  await step("upgrade to a new image tag keeps status and artifacts", () => upgrade(c, ks, o.images.upgrade));

  await step("mooring uninstall leaves nothing of mooring behind", async () => {
    const installed = await installedClusterObjects(c);
    await c.mooring("uninstall", "--yes", "--crds");
    await assertUninstalled(c, installed);
  });
}
