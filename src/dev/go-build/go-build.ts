import { mkdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { run, tail } from "./exec.js";
import { withBuildLock } from "./lock.js";

/**
 * A Go program (or several) built once from pinned modules into a cache outside the repo. Used
 * for the local control plane and for the Flux binaries the compatibility tests and benchmarks
 * run against.
 */
export interface GoBuildSpec {
  /** Shown in progress lines, e.g. "control-plane" or "flux-cli". */
  label: string;
  /** `<cacheRoot>/<version>/bin/<binary>` is where the results go. */
  cacheRoot: string;
  version: string;
  /** Binary name → Go package path. */
  packages: Record<string, string>;
  /** `-ldflags` for the build. */
  ldflags: string;
  /** Writes go.mod (and anything else) into the build module directory. */
  prepareModule: (moduleDir: string) => Promise<void>;
  /** Raised, with a one-line message, when the build cannot work on this machine. */
  unavailable: (message: string) => Error;
  log: (line: string) => void;
  /** Extra environment for every `go` command of the build (e.g. GONOSUMDB). */
  env?: Record<string, string>;
}

const COMPLETE_MARKER = ".complete";

/**
 * Builds the spec's binaries unless the cache already holds them for this version; concurrent
 * callers share one build through a lock. Returns binary name → absolute path.
 */
export async function ensureGoBinaries(spec: GoBuildSpec): Promise<Record<string, string>> {
  const versionDir = join(spec.cacheRoot, spec.version);
  const binDir = join(versionDir, "bin");
  const paths = Object.fromEntries(Object.keys(spec.packages).map((name) => [name, join(binDir, name)]));
  const complete = (): Promise<boolean> => isComplete(binDir, spec.version, Object.values(paths));
  if (await complete()) return paths;
  await mkdir(versionDir, { recursive: true });
  await withBuildLock(
    join(versionDir, ".build.lock"),
    (l) => spec.log(`[${spec.label}] ${l}`),
    async () => {
      if (!(await complete())) await buildInto(versionDir, spec);
    },
  );
  return paths;
}

async function isComplete(binDir: string, version: string, binaries: string[]): Promise<boolean> {
  try {
    if ((await readFile(join(binDir, COMPLETE_MARKER), "utf8")).trim() !== version) return false;
    for (const path of binaries) await stat(path);
    return true;
  } catch {
    return false;
  }
}

async function buildInto(versionDir: string, spec: GoBuildSpec): Promise<void> {
  const { log, label } = spec;
  const started = Date.now();
  if ((await run("go", ["version"])).code !== 0) {
    throw spec.unavailable(`cannot build ${label}: the Go toolchain (go >= 1.26) is not on PATH`);
  }
  const moduleDir = join(versionDir, "module");
  await rm(moduleDir, { recursive: true, force: true });
  await mkdir(moduleDir, { recursive: true });
  log(`[${label}] build 1/2: preparing the build module and downloading Go modules (first time only)`);
  await spec.prepareModule(moduleDir);
  const tmpBin = join(versionDir, "bin.tmp");
  await rm(tmpBin, { recursive: true, force: true });
  await mkdir(tmpBin, { recursive: true });
  const names = Object.keys(spec.packages);
  log(`[${label}] build 2/2: compiling ${names.join(", ")} (minutes on 2 cores; a line every 30 s)`);
  for (const [name, pkg] of Object.entries(spec.packages)) {
    await goCommand(
      spec,
      ["build", "-trimpath", `-ldflags=${spec.ldflags}`, "-o", join(tmpBin, name), pkg],
      moduleDir,
      `compiling ${name}`,
    );
  }
  await writeFile(join(tmpBin, COMPLETE_MARKER), spec.version + "\n");
  const binDir = join(versionDir, "bin");
  await rm(binDir, { recursive: true, force: true });
  await rename(tmpBin, binDir);
  log(`[${label}] built in ${Math.round((Date.now() - started) / 1000)}s into ${binDir}`);
}

/** Runs `go <args>` in the build module with a heartbeat; a failure becomes one clear line. */
export async function goCommand(
  spec: Pick<GoBuildSpec, "label" | "log" | "unavailable" | "env">,
  args: string[],
  cwd: string,
  what: string,
): Promise<string> {
  const heartbeat = (ms: number): void =>
    spec.log(`[${spec.label}] still ${what}... ${Math.round(ms / 1000)}s`);
  const result = await run("go", args, {
    cwd,
    heartbeat,
    env: { ...process.env, ...spec.env, GOFLAGS: "-mod=mod" },
  });
  if (result.code !== 0) {
    const reason = tail(result.stderr, 3).replace(/\s*\n\s*/g, " | ");
    throw spec.unavailable(`cannot build ${spec.label}: go ${args[0]} failed: ${reason}`);
  }
  return result.stdout;
}
