/**
 * A Docker engine for the kind e2e and the kind quick start. The engine on PATH is used when it
 * answers. Only when the caller asks for it explicitly (`--setup-docker`, or CI=true, decided by
 * the entry script) and the machine allows it (root, apt-get) does this set one up: Debian's
 * docker.io, dockerd started in the background with the capability-filtering runc wrapper as its
 * default runtime. Never a surprise on a user's laptop.
 */
import { spawn } from "node:child_process";
import { chmod, mkdir, open, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { run } from "../go-build/exec.js";
import { ContainerStepError, dockerServerVersion, must } from "./docker.js";
import { capabilityFilteringRunc } from "./runc-wrapper.js";

/** Options for {@link ensureDockerEngine}. */
export interface EngineOptions {
  /** Set up an engine when none answers (an explicit flag or CI); otherwise fail saying how. */
  setUp: boolean;
  /** `<mooring cache>/docker`: the runc wrapper and dockerd's log live here. */
  stateDir: string;
  log: (line: string) => void;
}

/**
 * No engine answers and this script may not or cannot start one (not asked to, not root, no
 * apt-get): the one case where callers skip, saying why. A set-up that was tried and failed is a
 * ContainerStepError instead, and fails.
 */
export class NoContainerEngineError extends ContainerStepError {
  override name = "NoContainerEngineError";
}

const RUNTIME_NAME = "mooring-runc";
/** The engine, and debootstrap, which makes the Debian root the local images are built on. */
const PACKAGES = ["docker.io", "iptables", "jq", "debootstrap"];

/** Returns the engine's version once `docker info` answers, setting one up if allowed. */
export async function ensureDockerEngine(options: EngineOptions): Promise<string> {
  const found = await dockerServerVersion();
  if (found.version) {
    await ensureDebootstrap(options);
    return found.version;
  }
  if (!options.setUp)
    throw new NoContainerEngineError(
      `no Docker engine answers (${found.reason}); start one, or pass --setup-docker (root with apt-get) to let this script install Debian's docker.io and start dockerd`,
    );
  if (process.getuid?.() !== 0)
    throw new NoContainerEngineError(
      `setting up a Docker engine needs root (no engine answers: ${found.reason})`,
    );
  if (!(await installed("dockerd", "--version")) || !(await installed("debootstrap", "--version")))
    await installPackages(options.log);
  return startDockerd(options);
}

/** An engine someone else started: the image builds still need debootstrap. */
async function ensureDebootstrap(options: EngineOptions): Promise<void> {
  if (!options.setUp || process.getuid?.() !== 0) return;
  if (!(await installed("debootstrap", "--version"))) await installPackages(options.log, ["debootstrap"]);
}

async function installed(command: string, versionFlag: string): Promise<boolean> {
  return (await run(command, [versionFlag]).catch(() => ({ code: 1 }))).code === 0;
}

async function installPackages(log: (line: string) => void, packages = PACKAGES): Promise<void> {
  if ((await run("apt-get", ["--version"])).code !== 0)
    throw new NoContainerEngineError("no Docker engine and no apt-get to install one");
  log(`docker 1/2: installing ${packages.join(", ")} with apt-get (about 30 s)`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  await must("apt-get update", "apt-get", ["update", "-qq"], { env });
  await must("apt-get install", "apt-get", ["install", "-y", "-qq", ...packages], { env });
}

async function startDockerd(options: EngineOptions): Promise<string> {
  options.log("docker 2/2: starting dockerd with the capability-filtering runc wrapper");
  await mkdir(options.stateDir, { recursive: true });
  const realRunc = (await must("locating runc", "sh", ["-c", "command -v runc"])).trim();
  const wrapper = join(options.stateDir, "runc-filter-caps");
  await writeFile(wrapper, capabilityFilteringRunc(realRunc));
  await chmod(wrapper, 0o755);
  const logPath = join(options.stateDir, "dockerd.log");
  const logFile = await open(logPath, "a");
  const child = spawn(
    "dockerd",
    [`--add-runtime=${RUNTIME_NAME}=${wrapper}`, `--default-runtime=${RUNTIME_NAME}`],
    { detached: true, stdio: ["ignore", logFile.fd, logFile.fd] },
  );
  child.unref();
  await logFile.close();
  for (let i = 0; i < 60; i++) {
    const found = await dockerServerVersion();
    if (found.version) {
      options.log(`docker: dockerd ${found.version} running (pid ${child.pid}, log ${logPath}); it stays up`);
      return found.version;
    }
    if (child.exitCode !== null) break;
    await sleep(500);
  }
  throw new ContainerStepError(`dockerd did not come up; see ${logPath}`);
}
