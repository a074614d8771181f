import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { tail } from "../go-build/exec.js";
import { ensureGoBinaries, goCommand, type GoBuildSpec } from "../go-build/go-build.js";
import { ControlPlaneUnavailableError } from "./errors.js";
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

const unavailable = (message: string): Error => new ControlPlaneUnavailableError(message);

/**
 * Builds kube-apiserver, kube-controller-manager and etcd from pinned Go modules into a cache
 * outside the repo, once; later calls reuse the cache.
 */
export async function ensureControlPlaneBinaries(options: BuildOptions): Promise<ControlPlaneBinaries> {
  const version = options.kubernetesVersion;
  const paths = await ensureGoBinaries({
    label: "control-plane",
    cacheRoot: options.cacheRoot,
    version,
    packages: CONTROL_PLANE_PACKAGES,
    ldflags: versionLdflags(version),
    prepareModule: (dir) =>
      writeKubernetesBuildModule(dir, {
        version,
        module: "mooring.local/control-plane",
        imports: CONTROL_PLANE_IMPORTS,
        spec: { label: "control-plane", log: options.log, unavailable },
      }),
    unavailable,
    log: options.log,
  });
  return paths as ControlPlaneBinaries;
}

/** Stamps the version the way the Kubernetes release build does, so /version and kubectl agree. */
export function versionLdflags(version: string): string {
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

const CONTROL_PLANE_IMPORTS = [
  "k8s.io/kubernetes/cmd/kube-apiserver/app",
  "k8s.io/kubernetes/cmd/kube-controller-manager/app",
  "go.etcd.io/etcd/server/v3/etcdmain",
];

/** What {@link writeKubernetesBuildModule} writes: the module's name and the packages it pins. */
export interface KubernetesBuildModule {
  version: string;
  module: string;
  imports: readonly string[];
  spec: Pick<GoBuildSpec, "label" | "log" | "unavailable">;
}

/**
 * k8s.io/kubernetes replaces its staging modules with local directories, which a consumer module
 * cannot see; we replace each with its published v0.x version instead. etcd comes in at the
 * version Kubernetes pins. Shared by the control-plane build and the kind node image's binaries.
 */
export async function writeKubernetesBuildModule(
  moduleDir: string,
  build: KubernetesBuildModule,
): Promise<void> {
  const { version, spec } = build;
  const downloaded = await goCommand(
    spec,
    ["mod", "download", "-json", `k8s.io/kubernetes@${version}`],
    moduleDir,
    "downloading k8s.io/kubernetes",
  ).catch((err: unknown) => {
    throw spec.unavailable(
      `cannot build ${spec.label}: k8s.io/kubernetes@${version} is not available from the Go module proxy (${tail(String(err), 1)})`,
    );
  });
  const upstreamGoMod = await readFile((JSON.parse(downloaded) as { GoMod: string }).GoMod, "utf8");
  const staging = [...upstreamGoMod.matchAll(/^\s*(k8s\.io\/[\w.-]+)\s*=>\s*\.\/staging\//gm)].map(
    (m) => m[1],
  );
  const replaces = staging.map((mod) => `\t${mod} => ${mod} ${stagingModuleVersion(version)}`).join("\n");
  await writeFile(
    join(moduleDir, "go.mod"),
    `module ${build.module}\n\ngo 1.26.0\n\nrequire k8s.io/kubernetes ${version}\n\nreplace (\n${replaces}\n)\n`,
  );
  await writeFile(
    join(moduleDir, "tools.go"),
    `//go:build tools\n\n// Package tools pins what the ${spec.label} build compiles.\npackage tools\n\nimport (\n${build.imports.map((i) => `\t_ "${i}"`).join("\n")}\n)\n`,
  );
  await goCommand(spec, ["mod", "tidy"], moduleDir, "downloading modules");
}
