import { spawn, type ChildProcess } from "node:child_process";
import { readFile } from "node:fs/promises";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../../src/dev/control-plane/ports.js";

/** A controller set (mooring, or Flux's two controllers) running as child processes. */
export interface RunningControllers {
  readonly name: string;
  /** Pid of the (main) controller process. */
  readonly pid: number;
  /** The last lines the processes wrote, for failure messages. */
  outputTail(): string;
  /** Peak RSS (VmHWM) summed over the set's processes so far, in KiB. */
  peakRssKb(): Promise<number>;
  stop(): Promise<void>;
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
 * Runs `mooring controller` in its own Node process (the same Node as the bench, tsx as the
 * loader), so its peak RSS is its own and not the bench's.
 */
export async function startMooring(
  repoRoot: string,
  kubeconfigPath: string,
  extraArgs: string[] = [],
): Promise<RunningControllers> {
  const dir = await mkdtemp(join(tmpdir(), "mooring-bench-ctl-"));
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      join(repoRoot, "src", "cli", "bin.ts"),
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
      "127.0.0.1:0",
      "--health-addr",
      "127.0.0.1:0",
      "--log-level",
      process.env["MOORING_BENCH_LOG_LEVEL"] ?? "error",
      ...extraArgs,
    ],
    { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] },
  );
  const tail: string[] = [];
  captureTail(child, tail);
  const sampler = new RssSampler(() => [child.pid]);
  return {
    name: "mooring",
    pid: child.pid ?? 0,
    outputTail: () => tail.join("\n"),
    peakRssKb: () => sampler.sample(),
    stop: async () => {
      await sampler.sample();
      sampler.stopSampling();
      await stopChild(child);
      await rm(dir, { recursive: true, force: true });
      if (child.exitCode !== 0 && child.exitCode !== null)
        console.error(`[bench] mooring exited ${child.exitCode}:\n${tail.join("\n")}`);
    },
  };
}
