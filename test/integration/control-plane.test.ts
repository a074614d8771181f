import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ensureControlPlaneBinaries } from "../../src/dev/control-plane/build.js";
import { defaultCacheRoot } from "../../src/dev/control-plane/cache.js";
import { startControlPlane } from "../../src/dev/control-plane/control-plane.js";
import { isAlive } from "../../src/dev/control-plane/processes.js";
import { KUBERNETES_VERSION } from "../../src/dev/control-plane/versions.js";
import { eventually, kubectl } from "../support/kube.js";

const binaries = () =>
  ensureControlPlaneBinaries({
    cacheRoot: defaultCacheRoot(process.env),
    kubernetesVersion: KUBERNETES_VERSION,
    log: () => {},
  });

async function allGone(pids: number[], dir: string): Promise<true | undefined> {
  return pids.every((pid) => !isAlive(pid)) && !existsSync(dir) ? true : undefined;
}

describe("local control plane", () => {
  it("starts and stops twice in a row, leaving no process or temp dir", async () => {
    for (let round = 0; round < 2; round++) {
      const cp = await startControlPlane({ binaries: await binaries(), log: () => {} });
      expect(cp.kubernetesVersion).toBe(KUBERNETES_VERSION);
      expect(cp.pids.every(isAlive)).toBe(true);
      const ready = await fetchReadyz(cp.kubeconfigPath);
      expect(ready).toContain("ok");
      await cp.stop();
      await eventually(
        "control-plane processes and temp dir to be gone",
        () => allGone(cp.pids, cp.dir),
        async () => ({
          alive: cp.pids.filter(isAlive),
          dirExists: existsSync(cp.dir),
        }),
      );
    }
  });

  it("is cleaned up by its watchdog when the owning process is killed", async () => {
    const owner = spawn(process.execPath, ["--import", "tsx", "src/dev/control-plane/cli.ts", "up"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    owner.stdout.on("data", (c: Buffer) => (out += c.toString()));
    const kubeconfig = await eventually(
      "the owner to print its kubeconfig",
      async () => /KUBECONFIG=(\S+)/.exec(out)?.[1],
      undefined,
      {
        timeoutMs: 60_000,
      },
    );
    const dir = kubeconfig.replace(/\/kubeconfig$/, "");
    const pids = (await import("node:fs/promises")).readFile(`${dir}/pids`, "utf8");
    const childPids = (await pids).split(/\s+/).filter(Boolean).map(Number);
    expect(childPids).toHaveLength(3);
    owner.kill("SIGKILL");
    await eventually(
      "the watchdog to remove the orphaned control plane",
      () => allGone(childPids, dir),
      async () => ({
        alive: childPids.filter(isAlive),
        dirExists: existsSync(dir),
      }),
      { timeoutMs: 30_000 },
    );
  });
});

async function fetchReadyz(kubeconfig: string): Promise<string> {
  return new Promise<string>((resolve) => {
    const child = spawn("kubectl", ["get", "--raw", "/readyz"], {
      env: { ...process.env, KUBECONFIG: kubeconfig },
    });
    let stdout = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.on("close", () => resolve(stdout));
  });
}

describe("the shared test control plane", () => {
  it("answers kubectl", async () => {
    const result = await kubectl(["get", "--raw", "/version"]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).gitVersion).toBe(KUBERNETES_VERSION);
  });
});
