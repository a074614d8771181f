import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream } from "node:fs";
import { readFile } from "node:fs/promises";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../../src/dev/control-plane/ports.js";
import { measureCommand } from "./measure.js";

/** A controller set (mooring, or Flux's two controllers) running as child processes. */
export interface RunningControllers {
  readonly name: string;
  /** Pid of the (main) controller process: the one that reconciles Kustomizations. */
  readonly pid: number;
  /** Pids of every process of the set (CPU and RSS are summed over them). */
  pids(): number[];
  /** Prometheus endpoint of the process that reconciles Kustomizations. */
  readonly metricsUrl: string;
  /** Prometheus endpoint of the process that reconciles GitRepositories (mooring: the same one). */
  readonly sourceMetricsUrl: string;
  /** Base URL of the Receiver webhook server (mooring only; Flux runs no notification-controller here). */
  readonly receiverUrl?: string;
  /** The last lines the processes wrote, for failure messages. */
  outputTail(): string;
  /** Peak RSS (VmHWM) summed over the set's processes so far, in KiB. */
  peakRssKb(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * CPU seconds (user + system) of a process from /proc/<pid>/stat; with `children`, also those of
 * its children that have exited and been waited for (e.g. the git server's `git http-backend`
 * processes, which run and exit per request).
 */
async function cpuSeconds(pid: number, children = false): Promise<number> {
  const fields = (await readFile(`/proc/${pid}/stat`, "utf8")).split(") ")[1]?.split(" ") ?? [];
  const ticks = [11, 12, ...(children ? [13, 14] : [])].reduce((sum, i) => sum + Number(fields[i] ?? 0), 0);
  return ticks / 100;
}

/** CPU seconds summed over processes. */
export async function pidsCpuSeconds(pids: readonly number[]): Promise<number> {
  const each = await Promise.all(pids.map((pid) => cpuSeconds(pid).catch(() => 0)));
  return each.reduce((a, b) => a + b, 0);
}

/** CPU seconds summed over a controller set's processes. */
export function setCpuSeconds(controller: RunningControllers): Promise<number> {
  return pidsCpuSeconds(controller.pids());
}

/**
 * CPU seconds of the bench process itself and its exited children: object creation, the status
 * stand-in and the local git server with its per-request `git http-backend` processes.
 */
export function benchCpuSeconds(): Promise<number> {
  return cpuSeconds(process.pid, true);
}

/** Reads VmHWM, the kernel's record of a process's peak resident set. */
async function vmHwmKb(pid: number | undefined): Promise<number> {
  if (pid === undefined) return 0;
  try {
    const status = await readFile(`/proc/${pid}/status`, "utf8");
    return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/**
 * Tracks the peak of processes that may exit before the bench asks: sampled every second and
 * once more on request.
 */
export class RssSampler {
  private peak = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly pids: () => (number | undefined)[]) {
    this.timer = setInterval(() => void this.sample(), 1000);
    this.timer.unref();
  }

  /** The highest summed VmHWM seen. */
  async sample(): Promise<number> {
    const values = await Promise.all(this.pids().map(vmHwmKb));
    this.peak = Math.max(
      this.peak,
      values.reduce((a, b) => a + b, 0),
    );
    return this.peak;
  }

  stopSampling(): void {
    clearInterval(this.timer);
  }
}

async function answers(url: string): Promise<boolean> {
  try {
    return (await fetch(url)).ok;
  } catch {
    return false;
  }
}

/**
 * Waits until every readiness URL answers 200, so a measurement starts with the controllers up
 * (informers synced) whichever set it is; fails early with their output if one exits.
 */
export async function waitReady(
  children: ChildProcess[],
  readyUrls: string[],
  tail: string[],
): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (children.some((c) => c.exitCode !== null || c.signalCode !== null))
      throw new Error(`bench: a controller exited during start-up:\n${tail.join("\n")}`);
    const up = await Promise.all(readyUrls.map(answers));
    if (up.every(Boolean)) return;
    if (Date.now() > deadline)
      throw new Error(`bench: controllers not ready after 60 s:\n${tail.join("\n")}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Stops a child with SIGTERM, then SIGKILL after `graceMs`. */
export function stopChild(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill("SIGKILL"), graceMs);
    child.once("exit", () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

/** Keeps the last lines of a child's output so a failure can say what happened. */
export function captureTail(child: ChildProcess, lines: string[]): void {
  const keep = (chunk: Buffer): void => {
    lines.push(...chunk.toString().split("\n").filter(Boolean));
    lines.splice(0, Math.max(0, lines.length - 20));
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
}

/**
 * With `MOORING_BENCH_LOG_DIR`, the controller's whole output goes to `mooring-<pid>.log` there
 * (the tail alone does not show where a reconcile's time went).
 */
function keepLog(child: ChildProcess, dir: string | undefined): void {
  if (dir === undefined || dir === "") return;
  const out = createWriteStream(join(dir, `mooring-${child.pid ?? 0}.log`));
  child.stdout?.pipe(out, { end: false });
  child.stderr?.pipe(out, { end: false });
}

/**
 * Compiles the controller once per bench run (`tsc -p tsconfig.build.json` into dist/, what the
 * image runs), so the measured process is plain Node on JavaScript: no TypeScript loader's time
 * or memory in the figures.
 */
let compiled: Promise<string> | undefined;
export function compiledCli(repoRoot: string): Promise<string> {
  compiled ??= (async () => {
    const tsc = join(repoRoot, "node_modules", "typescript", "bin", "tsc");
    const run = await measureCommand(process.execPath, [tsc, "-p", join(repoRoot, "tsconfig.build.json")], {
      cwd: repoRoot,
    });
    if (run.code !== 0) throw new Error(`bench: compiling mooring failed:\n${run.stdout}${run.stderr}`);
    return join(repoRoot, "dist", "src", "cli", "bin.js");
  })();
  return compiled;
}

/** The Node flags the image runs the controller with (the Dockerfile's `ENV NODE_OPTIONS=`). */
async function imageNodeFlags(repoRoot: string): Promise<string[]> {
  const dockerfile = await readFile(join(repoRoot, "Dockerfile"), "utf8");
  const line = /^ENV NODE_OPTIONS=(.*)$/m.exec(dockerfile)?.[1] ?? "";
  return line.replace(/^"|"$/g, "").split(" ").filter(Boolean);
}

/**
 * Runs the compiled `mooring controller` in its own Node process (the same Node as the bench), so
 * its peak RSS is its own and not the bench's.
 */
export async function startMooring(
  repoRoot: string,
  kubeconfigPath: string,
  extraArgs: string[] = [],
): Promise<RunningControllers> {
  const dir = await mkdtemp(join(tmpdir(), "mooring-bench-ctl-"));
  const port = await freePort();
  const metricsPort = await freePort();
  const healthPort = await freePort();
  const receiverPort = await freePort();
  const child = spawn(
    process.execPath,
    [
      // What the image runs with, then e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile the
      // controller under a scenario (a later flag wins).
      ...(await imageNodeFlags(repoRoot)),
      ...(process.env["MOORING_BENCH_NODE_FLAGS"]?.split(" ").filter(Boolean) ?? []),
      await compiledCli(repoRoot),
      "controller",
      "--kubeconfig",
      kubeconfigPath,
      "--storage-path",
      join(dir, "storage"),
      "--storage-addr",
      `127.0.0.1:${port}`,
      "--storage-adv-addr",
      `127.0.0.1:${port}`,
      "--metrics-addr",
      `127.0.0.1:${metricsPort}`,
      "--health-addr",
      `127.0.0.1:${healthPort}`,
      "--receiver-addr",
      `127.0.0.1:${receiverPort}`,
      "--log-level",
      process.env["MOORING_BENCH_LOG_LEVEL"] ?? "error",
      ...extraArgs,
    ],
    { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] },
  );
  const tail: string[] = [];
  captureTail(child, tail);
  keepLog(child, process.env["MOORING_BENCH_LOG_DIR"]);
  const sampler = new RssSampler(() => [child.pid]);
  const stop = async (): Promise<void> => {
    await sampler.sample();
    sampler.stopSampling();
    await stopChild(child);
    await rm(dir, { recursive: true, force: true });
    if (child.exitCode !== 0 && child.exitCode !== null)
      console.error(`[bench] mooring exited ${child.exitCode}:\n${tail.join("\n")}`);
  };
  await waitReady([child], [`http://127.0.0.1:${healthPort}/readyz`], tail).catch(async (err: unknown) => {
    await stop();
    throw err;
  });
  return {
    name: "mooring",
    pid: child.pid ?? 0,
    pids: () => [child.pid ?? 0],
    metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
    sourceMetricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
    receiverUrl: `http://127.0.0.1:${receiverPort}`,
    outputTail: () => tail.join("\n"),
    peakRssKb: () => sampler.sample(),
    stop,
  };
}
