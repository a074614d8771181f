/**
 * `npm run e2e:kind`: mooring in a real kind cluster, as a user installs it. Creates a kind
 * cluster, builds and loads the controller image and an in-cluster git server, runs
 * `mooring install`, applies the demo GitRepository and Kustomization, asserts Ready, a drift
 * correction (interval 1h, so only mooring's watches can fix it) and a prune, and deletes the
 * cluster. Needs a Docker engine; without one it says so and skips (exit 0). Not part of
 * `npm test`: CI has no Docker engine.
 */
import { spawnSync, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { mooringCacheDir } from "../../src/dev/control-plane/cache.js";
import { ensureGoBinaries } from "../../src/dev/go-build/go-build.js";
import { demoManifests, gitServerManifests, GIT_IMAGE, GIT_NAMESPACE, MOORING_IMAGE } from "./manifests.js";

const KIND_VERSION = "v0.33.0";
const repoRoot = resolve(import.meta.dirname, "..", "..");
const log = (line: string): void => console.error(`[e2e:kind] ${line}`);

function run(
  cmd: string,
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; cwd?: string; input?: string } = {},
): string {
  const r = spawnSync(cmd, args, {
    cwd: opts.cwd ?? repoRoot,
    env: opts.env ?? process.env,
    input: opts.input,
    encoding: "utf8",
    maxBuffer: 64 << 20,
  });
  if (r.status !== 0)
    throw new Error(
      `${cmd} ${args.join(" ")} failed (${r.status ?? r.signal}): ${(r.stderr || r.stdout).trim().slice(-2000)}`,
    );
  return r.stdout;
}

/** Polls `probe` until it returns true; throws with `what` at the deadline. */
async function until(what: string, probe: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}`);
    await sleep(1000);
  }
  log(`ok: ${what}`);
}

function dockerAvailable(): string | undefined {
  const r = spawnSync("docker", ["info", "--format", "{{.ServerVersion}}"], { encoding: "utf8" });
  return r.status === 0 ? undefined : (r.stderr || r.error?.message || "docker info failed").trim();
}

async function kindBinary(): Promise<string> {
  if (spawnSync("kind", ["version"]).status === 0) return "kind";
  const paths = await ensureGoBinaries({
    label: "kind",
    cacheRoot: join(mooringCacheDir(process.env), "kind"),
    version: KIND_VERSION,
    packages: { kind: "sigs.k8s.io/kind" },
    ldflags: "-s -w",
    prepareModule: async (dir) => {
      const { writeFile } = await import("node:fs/promises");
      await writeFile(
        join(dir, "go.mod"),
        `module mooring.local/kind\n\ngo 1.26.0\n\nrequire sigs.k8s.io/kind ${KIND_VERSION}\n`,
      );
    },
    unavailable: (message) => new Error(message),
    log,
  });
  return paths.kind ?? "kind";
}

async function main(): Promise<void> {
  const noDocker = dockerAvailable();
  if (noDocker) {
    log(
      `skipped: no Docker engine is reachable (${noDocker}). Run it on a machine with Docker; nothing was created.`,
    );
    return;
  }
  const kind = await kindBinary();
  const cluster = `mooring-e2e-${process.pid}`;
  const work = mkdtempSync(join(tmpdir(), "mooring-e2e-"));
  const kubeconfig = join(work, "kubeconfig");
  const env = { ...process.env, KUBECONFIG: kubeconfig };
  const kubectl = (...args: string[]): string => run("kubectl", args, { env });
  const mooring = (...args: string[]): string =>
    run("npx", ["tsx", "src/cli/bin.ts", ...args, "--kubeconfig", kubeconfig], { env });
  let forward: ChildProcess | undefined;
  try {
    log(`creating kind cluster ${cluster}`);
    run(kind, ["create", "cluster", "--name", cluster, "--kubeconfig", kubeconfig, "--wait", "180s"]);
    log("building and loading images");
    run("docker", ["build", "-t", MOORING_IMAGE, "."]);
    run("docker", ["build", "-t", GIT_IMAGE, "-f", "test/e2e/git-server.Dockerfile", "."]);
    run(kind, ["load", "docker-image", MOORING_IMAGE, GIT_IMAGE, "--name", cluster]);
    log("mooring install");
    mooring("install", "--timeout", "5m");
    run("kubectl", ["apply", "--server-side", "-f", "-"], { env, input: gitServerManifests() });
    kubectl("-n", GIT_NAMESPACE, "rollout", "status", "deploy/git-server", "--timeout=180s");
    run("kubectl", ["apply", "--server-side", "-f", "-"], { env, input: demoManifests("mooring-system") });
    kubectl(
      "-n",
      "mooring-system",
      "wait",
      "--for=condition=Ready",
      "gitrepository/demo",
      "kustomization/demo",
      "--timeout=300s",
    );
    log("ok: demo GitRepository and Kustomization are Ready");
    log(kubectl("get", "gitrepositories,kustomizations", "-A"));

    kubectl("-n", "demo", "scale", "deploy/web", "--replicas=5");
    await until(
      "drift (kubectl scale) to be corrected back to 2 replicas",
      () => kubectl("-n", "demo", "get", "deploy/web", "-o", "jsonpath={.spec.replicas}") === "2",
      60_000,
    );

    forward = spawn("kubectl", ["-n", GIT_NAMESPACE, "port-forward", "svc/git-server", "18080:80"], {
      env,
      stdio: "ignore",
    });
    await sleep(2000);
    const clone = join(work, "demo");
    run("git", ["clone", "-q", "http://127.0.0.1:18080/demo.git", clone]);
    run("sed", ["-i", "/service.yaml/d", "base/kustomization.yaml"], { cwd: clone });
    run(
      "git",
      ["-c", "user.name=e2e", "-c", "user.email=e2e@example.com", "commit", "-qam", "remove the Service"],
      { cwd: clone },
    );
    run("git", ["push", "-q"], { cwd: clone });
    mooring("reconcile", "ks", "demo", "-n", "mooring-system", "--with-source");
    await until(
      "the Service removed from Git to be pruned",
      () => spawnSync("kubectl", ["-n", "demo", "get", "svc/web"], { env }).status !== 0,
      60_000,
    );
    log("passed: install, Ready, drift correction, prune");
  } finally {
    forward?.kill();
    log(`deleting kind cluster ${cluster}`);
    spawnSync(kind, ["delete", "cluster", "--name", cluster], { stdio: "inherit" });
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  log(`FAILED: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
