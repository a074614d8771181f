/**
 * Issue 14: a git server outage with a controller restart during it. The new process starts on an
 * empty storage (a pod moved) while the repository is unreachable: it cannot fetch the source nor
 * download the old artifact, and must not delete or lose anything meanwhile. Once the server is
 * back it converges on the commit pushed during the outage.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, kubeconfigPath, testKubeConfig } from "../support/kube.js";
import { killHard, type ControllerProcess } from "./support/controller-process.js";
import { configMapNames, readGr, readyOf } from "./support/fixtures.js";
import { countsLine, Scene } from "./support/scene.js";
import { startTcpProxy, type TcpProxy } from "./support/tcp-proxy.js";

const kc = testKubeConfig();
let proxy: TcpProxy | undefined;
let scene: Scene;
let proc: ControllerProcess;

beforeAll(async () => {
  scene = await Scene.create(kc, {
    kubeconfig: kubeconfigPath(),
    size: 20,
    gitUrl: async (repo, git) => {
      proxy = await startTcpProxy(new URL(git.url).host);
      return repo.url.replace(new URL(git.url).host, proxy.address);
    },
  });
});

afterAll(async () => {
  await scene?.close();
  await proxy?.close();
});

const start = (): Promise<ControllerProcess> => scene.startController();

describe("git server outage with a controller restart during it (issue 14)", () => {
  it("keeps everything while the source is unreachable, then converges", async ({ task }) => {
    proc = await start();
    await eventually(
      "first convergence",
      () => scene.converged(),
      () => scene.describe(),
      { timeoutMs: 120_000 },
    );
    const before = scene.head;
    proxy!.cut();
    await scene.push(1);
    await scene.requestReconcile();
    await eventually(
      "the fetch to fail",
      async () => {
        const ready = readyOf(await readGr(kc, scene.namespace, scene.name));
        return ready.status === "False" ? ready : undefined;
      },
      () => scene.describe(),
    );
    await killHard(proc);
    proc = await start();
    // The new process tries (and fails) for a while: nothing may go meanwhile.
    await proc.waitForLine((l) => l.msg === "Reconciler error" && l.controllerKind === "GitRepository");
    await sleep(5_000);
    const live = await configMapNames(kc, scene.namespace, "cm-");
    expect(live).toEqual(before);
    proxy!.restore();
    await scene.requestReconcile();
    await eventually(
      "convergence after the outage",
      () => scene.converged(),
      () => scene.describe(),
      {
        timeoutMs: 120_000,
      },
    );
    await scene.endCycle();
    const line = `${countsLine("git outage + restart", scene.counts)}`;
    console.log(line);
    task.meta.faults = line;
    expect(scene.counts).toEqual({ cycles: 1, wrongDeletions: 0, lost: 0, orphans: 0 });
  });
});
