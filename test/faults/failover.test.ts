/**
 * Issue 14: leader kill with takeover. Two controller processes elect a leader on a Lease; the
 * leader is SIGKILLed and a new commit pushed. The standby must take the Lease, serve the
 * artifact itself, and the Kustomization must land the new commit by re-reading the source's
 * current artifact rather than retrying the dead leader's URL until a timeout.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, kubeconfigPath, testKubeConfig } from "../support/kube.js";
import { killHard, type ControllerProcess } from "./support/controller-process.js";
import { leaseHolder, readGr } from "./support/fixtures.js";
import { countsLine, Scene } from "./support/scene.js";

const kc = testKubeConfig();
let scene: Scene;

beforeAll(async () => {
  scene = await Scene.create(kc, { kubeconfig: kubeconfigPath(), size: 20 });
});

afterAll(() => scene?.close());

const replica = (): Promise<ControllerProcess> => scene.startController({ leaseNamespace: scene.namespace });

/** The artifact address a replica advertises (from its start line). */
const advertised = async (p: ControllerProcess): Promise<string> =>
  String((await p.waitForLine((l) => l.msg === "mooring controller started")).artifacts);

describe("leader kill with takeover (issue 14)", () => {
  it("the standby takes the Lease, serves the artifact and lands the new commit", async ({ task }) => {
    const a = await replica();
    await a.waitForLine((l) => l.msg === "leader election won");
    const b = await replica();
    await eventually(
      "convergence under the first leader",
      () => scene.converged(),
      () => scene.describe(),
      {
        timeoutMs: 120_000,
      },
    );
    const leaseName = String(a.lines.find((l) => l.msg === "leader election won")?.lease).split("/")[1]!;
    expect(await leaseHolder(kc, scene.namespace, leaseName)).toMatch(new RegExp(`_${a.pid}$`));
    expect(b.lines.some((l) => l.msg === "leader election won")).toBe(false);

    await killHard(a);
    await scene.push(1);
    await scene.requestReconcile();
    await b.waitForLine((l) => l.msg === "leader election won", 90_000);
    expect(await leaseHolder(kc, scene.namespace, leaseName)).toMatch(new RegExp(`_${b.pid}$`));
    await eventually(
      "convergence under the new leader",
      () => scene.converged(),
      () => scene.describe(),
      {
        timeoutMs: 120_000,
      },
    );
    await scene.endCycle();
    // The artifact now comes from the new leader, and it serves it.
    const url = (await readGr(kc, scene.namespace, scene.name))?.status?.artifact?.url ?? "";
    expect(url).toContain(await advertised(b));
    expect((await fetch(url)).status).toBe(200);
    // No download waited out a timeout on the dead leader's address.
    expect(b.output()).not.toContain("The operation was aborted");
    const line = `${countsLine("leader kill", scene.counts)} takeovers=1`;
    console.log(line);
    task.meta.faults = line;
    expect(scene.counts).toEqual({ cycles: 1, wrongDeletions: 0, lost: 0, orphans: 0 });
  });
});
