import { spawn } from "node:child_process";

/** Output of a finished child process. */
export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Options for {@link run}. */
export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Called every `heartbeatMs` while the command runs, so long builds never look hung. */
  heartbeat?: (elapsedMs: number) => void;
  heartbeatMs?: number;
}

/**
 * Runs a command to completion and collects its output. Never throws for a non-zero exit: the
 * caller decides what a failure means and how to word it for the user.
 */
export function run(command: string, args: readonly string[], options: RunOptions = {}): Promise<ExecResult> {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = options.heartbeat
      ? setInterval(() => options.heartbeat?.(Date.now() - started), options.heartbeatMs ?? 30_000)
      : undefined;
    const finish = (code: number, extra = ""): void => {
      if (timer) clearInterval(timer);
      resolve({ code, stdout, stderr: stderr + extra });
    };
    child.on("error", (err) => finish(127, err.message));
    child.on("close", (code) => finish(code ?? 1));
  });
}

/** The last lines of a command's output, for one-line error messages. */
export function tail(text: string, lines = 5): string {
  return text.trim().split("\n").slice(-lines).join("\n");
}
