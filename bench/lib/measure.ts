import { spawn } from "node:child_process";

/** Wall time and peak RSS of one external command. */
export interface CommandRun {
  ms: number;
  peakRssKb: number;
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs a command under GNU time to get its peak RSS (the kernel's max RSS of the process tree
 * it waited for) and measures wall time around it.
 */
export function measureCommand(
  cmd: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<CommandRun> {
  return new Promise((resolve) => {
    const started = process.hrtime.bigint();
    const child = spawn("/usr/bin/time", ["-f", "__RSS__%M", cmd, ...args], {
      cwd: options.cwd,
      env: options.env ?? process.env,
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("close", (code) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const match = /__RSS__(\d+)\s*$/.exec(stderr);
      resolve({
        ms,
        peakRssKb: Number(match?.[1] ?? 0),
        code: code ?? 1,
        stdout,
        stderr: stderr.replace(/__RSS__\d+\s*$/, ""),
      });
    });
  });
}

/** Wall time of an in-process async function, in ms. */
export async function timeIt<T>(fn: () => Promise<T> | T): Promise<{ ms: number; value: T }> {
  const started = process.hrtime.bigint();
  const value = await fn();
  return { ms: Number(process.hrtime.bigint() - started) / 1e6, value };
}

/** Peak RSS of this process so far, in KiB. */
export function selfPeakRssKb(): number {
  return process.resourceUsage().maxRSS;
}
