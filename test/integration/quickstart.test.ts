/**
 * The README's first command, as a user runs it: `npm run quickstart` reaches Ready for the demo
 * and prints the table, a pushed change is applied, and Ctrl-C leaves no process behind.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isAlive } from "../../src/dev/control-plane/processes.js";
import { eventually } from "../support/kube.js";

function sh(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env, cwd?: string): string {
  const r = spawnSync(cmd, args, { env, cwd, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

describe("npm run quickstart", () => {
  it("applies the demo, applies a pushed change, and stops cleanly on Ctrl-C", async () => {
    const child = spawn("npm", ["run", "-s", "quickstart"], {
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (c: Buffer) => (out += c.toString()));
    child.stderr.on("data", (c: Buffer) => (err += c.toString()));
    try {
      await eventually(
        "the quick start to print its instructions",
        async () => (err.includes("Ctrl-C stops everything") ? true : undefined),
        async () => err.slice(-2000),
        { timeoutMs: 180_000 },
      );
      expect(out).toMatch(
        /flux-system\s+gitrepository\.source\.toolkit\.fluxcd\.io\/demo\s+http:\/\/127\.0\.0\.1:\d+\/demo\.git\s+\S+\s+True\s+stored artifact for revision 'main@sha1:[0-9a-f]{40}'/,
      );
      expect(out).toMatch(
        /flux-system\s+kustomization\.kustomize\.toolkit\.fluxcd\.io\/demo\s+\S+\s+True\s+Applied revision: main@sha1:[0-9a-f]{40}/,
      );
      const kubeconfig = /export KUBECONFIG=(\S+)/.exec(err)?.[1] ?? "";
      const url = /git clone (\S+)/.exec(err)?.[1] ?? "";
      const env = { ...process.env, KUBECONFIG: kubeconfig };
      expect(
        sh("kubectl", ["-n", "demo", "get", "deploy", "web", "-o", "jsonpath={.spec.replicas}"], env),
      ).toBe("2");
      const clone = join(mkdtempSync(join(tmpdir(), "quickstart-push-")), "demo");
      sh("git", ["clone", "-q", url, clone]);
      sh("sed", ["-i", "s/count: 2/count: 3/", "overlays/prod/kustomization.yaml"], env, clone);
      sh(
        "git",
        ["-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qam", "scale web to 3"],
        env,
        clone,
      );
      sh("git", ["push", "-q"], env, clone);
      sh(
        "npx",
        ["tsx", "src/cli/bin.ts", "reconcile", "ks", "demo", "-n", "flux-system", "--with-source"],
        env,
      );
      expect(
        sh("kubectl", ["-n", "demo", "get", "deploy", "web", "-o", "jsonpath={.spec.replicas}"], env),
      ).toBe("3");
      const cpDir = kubeconfig.replace(/\/kubeconfig$/, "");
      const pids = sh("cat", [join(cpDir, "pids")])
        .split(/\s+/)
        .filter(Boolean)
        .map(Number);
      process.kill(-child.pid!, "SIGINT");
      await eventually(
        "every quick-start process and temp dir to be gone",
        async () =>
          [...pids, child.pid!].every((p) => !isAlive(p)) && !existsSync(cpDir) ? true : undefined,
        async () => ({ alive: [...pids, child.pid!].filter(isAlive), cpDir: existsSync(cpDir) }),
        { timeoutMs: 60_000 },
      );
    } finally {
      if (child.pid && isAlive(child.pid)) process.kill(-child.pid, "SIGKILL");
    }
  }, 300_000);
});
