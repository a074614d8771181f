import { mkdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { ControlPlaneUnavailableError } from "./errors.js";
import { run, tail } from "./exec.js";
import { withBuildLock } from "./lock.js";
import { CONTROL_PLANE_PACKAGES, type ControlPlaneBinary, stagingModuleVersion } from "./versions.js";

/** Where the binaries of one Kubernetes version live once built. */
export type ControlPlaneBinaries = Record<ControlPlaneBinary, string>;

/** Options for {@link ensureControlPlaneBinaries}. */
export interface BuildOptions {
  /** e.g. `~/.cache/mooring/control-plane`; one subdirectory per Kubernetes version. */
  cacheRoot: string;
  kubernetesVersion: string;
  log: (line: string) => void;
}

const COMPLETE_MARKER = ".complete";

/**
 * Builds kube-apiserver, kube-controller-manager and etcd from pinned Go modules into a cache
 * outside the repo, once; later calls reuse the cache. Concurrent callers (parallel test runs)
 * share one build through a lock.
 */
export async function ensureControlPlaneBinaries(options: BuildOptions): Promise<ControlPlaneBinaries> {
  const versionDir = join(options.cacheRoot, options.kubernetesVersion);
  const binDir = join(versionDir, "bin");
  const binaries = binaryPaths(binDir);
  if (await isComplete(binDir, options.kubernetesVersion)) return binaries;
  await mkdir(versionDir, { recursive: true });
  await withBuildLock(join(versionDir, ".build.lock"), options.log, async () => {
    if (await isComplete(binDir, options.kubernetesVersion)) return;
    await buildInto(versionDir, options);
  });
  return binaries;
}

function binaryPaths(binDir: string): ControlPlaneBinaries {
  const names = Object.keys(CONTROL_PLANE_PACKAGES) as ControlPlaneBinary[];
  return Object.fromEntries(names.map((name) => [name, join(binDir, name)])) as ControlPlaneBinaries;
}

async function isComplete(binDir: string, version: string): Promise<boolean> {
  try {
    const marker = await readFile(join(binDir, COMPLETE_MARKER), "utf8");
    if (marker.trim() !== version) return false;
    for (const path of Object.values(binaryPaths(binDir))) await stat(path);
    return true;
  } catch {
    return false;
  }
}

async function buildInto(versionDir: string, options: BuildOptions): Promise<void> {
  const { log, kubernetesVersion } = options;
  const started = Date.now();
  await requireGo();
  const moduleDir = join(versionDir, "module");
  log(`[control-plane] build 1/3: resolving Kubernetes ${kubernetesVersion} and its staging modules`);
  await writeBuildModule(moduleDir, kubernetesVersion);
  log("[control-plane] build 2/3: downloading Go modules (first time only, a few hundred MB)");
  await go(["mod", "tidy"], moduleDir, log, "downloading modules");
  const tmpBin = join(versionDir, "bin.tmp");
  await rm(tmpBin, { recursive: true, force: true });
  await mkdir(tmpBin, { recursive: true });
  log(
    "[control-plane] build 3/3: compiling kube-apiserver, kube-controller-manager and etcd (several minutes on 2 cores)",
  );
  const packages = Object.values(CONTROL_PLANE_PACKAGES);
  const ldflags = versionLdflags(kubernetesVersion);
  await go(
    ["build", "-trimpath", `-ldflags=${ldflags}`, "-o", tmpBin + "/", ...packages],
    moduleDir,
    log,
    "compiling",
  );
  // go build names etcd's binary after its module path without the major version: "server".
  await rename(join(tmpBin, "server"), join(tmpBin, "etcd"));
  await writeFile(join(tmpBin, COMPLETE_MARKER), kubernetesVersion + "\n");
  const binDir = join(versionDir, "bin");
  await rm(binDir, { recursive: true, force: true });
  await rename(tmpBin, binDir);
  log(`[control-plane] built in ${Math.round((Date.now() - started) / 1000)}s into ${binDir}`);
}

async function requireGo(): Promise<void> {
  const result = await run("go", ["version"]);
  if (result.code !== 0) {
    throw new ControlPlaneUnavailableError(
      "cannot build the local control plane: the Go toolchain (go >= 1.26) is not on PATH; install Go or point KUBECONFIG at a cluster",
    );
  }
}

async function go(args: string[], cwd: string, log: (line: string) => void, what: string): Promise<void> {
  const heartbeat = (ms: number): void => log(`[control-plane] still ${what}... ${Math.round(ms / 1000)}s`);
  const result = await run("go", args, { cwd, heartbeat, env: { ...process.env, GOFLAGS: "-mod=mod" } });
  if (result.code !== 0) {
    const reason = tail(result.stderr, 3).replace(/\s*\n\s*/g, " | ");
    throw new ControlPlaneUnavailableError(
      `cannot build the local control plane: go ${args[0]} failed: ${reason}`,
    );
  }
}

/** Stamps the version the way the Kubernetes release build does, so /version and kubectl agree. */
function versionLdflags(version: string): string {
  const [major, minor] = version.replace(/^v/, "").split(".");
  const pkg = "k8s.io/component-base/version";
  return [
    "-s -w",
    `-X ${pkg}.gitVersion=${version}`,
    `-X ${pkg}.gitMajor=${major}`,
    `-X ${pkg}.gitMinor=${minor}`,
    `-X ${pkg}.gitTreeState=clean`,
  ].join(" ");
}

/**
 * k8s.io/kubernetes replaces its staging modules with local directories, which a consumer module
 * cannot see; we replace each with its published v0.x version instead.
 */
async function writeBuildModule(moduleDir: string, version: string): Promise<void> {
  await mkdir(moduleDir, { recursive: true });
  const download = await run("go", ["mod", "download", "-json", `k8s.io/kubernetes@${version}`], {
    cwd: moduleDir,
  });
  if (download.code !== 0) {
    throw new ControlPlaneUnavailableError(
      `cannot build the local control plane: k8s.io/kubernetes@${version} is not available from the Go module proxy (${tail(download.stdout + download.stderr, 1)})`,
    );
  }
  const info = JSON.parse(download.stdout) as { GoMod: string };
  const upstreamGoMod = await readFile(info.GoMod, "utf8");
  const staging = [...upstreamGoMod.matchAll(/^\s*(k8s\.io\/[\w.-]+)\s*=>\s*\.\/staging\//gm)].map(
    (m) => m[1],
  );
  const replaces = staging.map((mod) => `\t${mod} => ${mod} ${stagingModuleVersion(version)}`).join("\n");
  const goMod = `module mooring.local/control-plane\n\ngo 1.26.0\n\nrequire k8s.io/kubernetes ${version}\n\nreplace (\n${replaces}\n)\n`;
  await writeFile(join(moduleDir, "go.mod"), goMod);
  const imports = [
    "k8s.io/kubernetes/cmd/kube-apiserver/app",
    "k8s.io/kubernetes/cmd/kube-controller-manager/app",
    "go.etcd.io/etcd/server/v3/etcdmain",
  ];
  const tools = `//go:build tools\n\n// Package tools pins what the control-plane build compiles.\npackage tools\n\nimport (\n${imports.map((i) => `\t_ "${i}"`).join("\n")}\n)\n`;
  await writeFile(join(moduleDir, "tools.go"), tools);
}
