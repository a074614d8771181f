/**
 * The real `mooring controller` as a child process, for the fault suite (issue 14): the CLI entry
 * with its flags, JSON log lines collected as they come, SIGTERM/SIGKILL and the exit awaited.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const BIN = resolve(import.meta.dirname, "..", "..", "..", "src", "cli", "bin.ts");

/** One JSON log line of the controller. */
export interface LogLine {
  readonly level?: string;
  readonly msg?: string;
  readonly [key: string]: unknown;
}

/** A running controller child. */
export interface ControllerProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly storagePath: string;
  /** Parsed JSON lines of stdout, oldest first. */
  readonly lines: LogLine[];
  /** Every byte the process wrote (stdout and stderr), for grepping and failure output. */
  output(): string;
  /** Resolves with the exit code (or the signal name) once the process is gone. */
  readonly exited: Promise<number | string>;
  readonly alive: () => boolean;
  /** Resolves with the first line matching `test`, rejecting when the process exits first. */
  waitForLine(test: (l: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
}

/** Options of {@link startControllerProcess}. */
export interface ControllerProcessOptions {
  readonly kubeconfig: string;
  /** Leader election in this namespace when given. */
  readonly leaseNamespace?: string;
  readonly labelSelector?: string;
  readonly storagePath?: string;
  /** Extra flags (e.g. `--graceful-shutdown-timeout=10s`). */
  readonly args?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
}

/** Starts `mooring controller` with loopback ports chosen by the OS. */
export async function startControllerProcess(opts: ControllerProcessOptions): Promise<ControllerProcess> {
  const storagePath = opts.storagePath ?? (await mkdtemp(join(tmpdir(), "mooring-fault-")));
  const args = [
    "--import",
    "tsx",
    BIN,
    "controller",
    `--kubeconfig=${opts.kubeconfig}`,
    `--storage-path=${storagePath}`,
    "--storage-addr=127.0.0.1:0",
    "--metrics-addr=127.0.0.1:0",
    "--health-addr=127.0.0.1:0",
    "--receiver-addr=127.0.0.1:0",
    "--log-encoding=json",
    "--requeue-dependency=2s",
    ...(opts.leaseNamespace ? ["--leader-elect", `--leader-election-namespace=${opts.leaseNamespace}`] : []),
    ...(opts.labelSelector ? [`--watch-label-selector=${opts.labelSelector}`] : []),
    ...(opts.args ?? []),
  ];
  const child = spawn(process.execPath, args, {
    env: { ...process.env, HOSTNAME: "", ...opts.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  return track(child, storagePath);
}

function track(child: ChildProcess, storagePath: string): ControllerProcess {
  const lines: LogLine[] = [];
  const waiters: { test: (l: LogLine) => boolean; resolve: (l: LogLine) => void }[] = [];
  let all = "";
  let buf = "";
  child.stdout?.on("data", (c: Buffer) => {
    const text = c.toString();
    all += text;
    buf += text;
    const parts = buf.split("\n");
    buf = parts.pop() ?? "";
    for (const p of parts) {
      const line = parseLine(p);
      if (line === undefined) continue;
      lines.push(line);
      for (const w of waiters.filter((x) => x.test(line))) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(line);
      }
    }
  });
  child.stderr?.on("data", (c: Buffer) => (all += c.toString()));
  let code: number | string | undefined;
  const exited = new Promise<number | string>((r) =>
    child.on("exit", (c, signal) => {
      code = c ?? signal ?? -1;
      r(code);
    }),
  );
  const waitForLine = (test: (l: LogLine) => boolean, timeoutMs = 120_000): Promise<LogLine> => {
    const found = lines.find(test);
    if (found) return Promise.resolve(found);
    return new Promise((resolveLine, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no matching log line in ${timeoutMs} ms\n${all.slice(-4000)}`)),
        timeoutMs,
      );
      waiters.push({ test, resolve: (l) => (clearTimeout(timer), resolveLine(l)) });
      void exited.then((c) => {
        clearTimeout(timer);
        reject(new Error(`controller exited (${c}) before the expected log line\n${all.slice(-4000)}`));
      });
    });
  };
  return {
    child,
    pid: child.pid ?? 0,
    storagePath,
    lines,
    output: () => all,
    exited,
    alive: () => code === undefined,
    waitForLine,
  };
}

function parseLine(text: string): LogLine | undefined {
  if (!text.startsWith("{")) return undefined;
  try {
    return JSON.parse(text) as LogLine;
  } catch {
    return undefined;
  }
}

/** SIGKILLs `proc` if it is still running and waits for it to be gone. */
export async function killHard(proc: ControllerProcess): Promise<void> {
  if (proc.alive()) proc.child.kill("SIGKILL");
  await proc.exited;
}
