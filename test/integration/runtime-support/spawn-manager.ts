/** Starts manager-process.ts as a child and collects its JSON report lines. */
import { spawn, type ChildProcess } from "node:child_process";
import { resolve } from "node:path";
import type { ManagerProcessConfig } from "./manager-process.js";

export interface Line {
  ev: string;
  pid: number;
  t: number;
  key?: string;
  aborted?: boolean;
  code?: number;
  metrics?: number;
  health?: number;
}

export interface ManagerChild {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly lines: Line[];
  readonly stderr: () => string;
  readonly exited: Promise<number | null>;
}

export function spawnManager(config: ManagerProcessConfig): ManagerChild {
  const script = resolve(import.meta.dirname, "manager-process.ts");
  const child = spawn(process.execPath, ["--import", "tsx", script], {
    env: { ...process.env, RT_MANAGER_CONFIG: JSON.stringify(config) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: Line[] = [];
  let buf = "";
  let err = "";
  child.stdout.on("data", (c: Buffer) => {
    buf += c.toString();
    const parts = buf.split("\n");
    buf = parts.pop() ?? "";
    for (const p of parts) if (p.trim()) lines.push(JSON.parse(p) as Line);
  });
  child.stderr.on("data", (c: Buffer) => (err = (err + c.toString()).slice(-20_000)));
  const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
  return { child, pid: child.pid ?? 0, lines, stderr: () => err, exited };
}

/** Reconcile intervals per key and pid; an unfinished start ends at `openEnd`. */
export function intervals(
  lines: readonly Line[],
  openEnd: number,
): { key: string; pid: number; from: number; to: number }[] {
  const open = new Map<string, Line>();
  const out: { key: string; pid: number; from: number; to: number }[] = [];
  for (const l of lines) {
    const id = `${l.pid} ${l.key}`;
    if (l.ev === "start") open.set(id, l);
    if (l.ev === "end") {
      const s = open.get(id);
      if (s) out.push({ key: l.key!, pid: l.pid, from: s.t, to: l.t });
      open.delete(id);
    }
  }
  for (const s of open.values()) out.push({ key: s.key!, pid: s.pid, from: s.t, to: openEnd });
  return out;
}

/** Pairs of intervals on the same key that intersect. */
export function overlaps(list: ReturnType<typeof intervals>): string[] {
  const found: string[] = [];
  const byKey = new Map<string, typeof list>();
  for (const i of list) byKey.set(i.key, [...(byKey.get(i.key) ?? []), i]);
  for (const [key, xs] of byKey) {
    const sorted = [...xs].sort((a, b) => a.from - b.from);
    for (let i = 1; i < sorted.length; i++) {
      const prev = sorted[i - 1]!;
      const cur = sorted[i]!;
      if (cur.from < prev.to)
        found.push(
          `${key}: pid ${prev.pid} [${prev.from},${prev.to}] vs pid ${cur.pid} [${cur.from},${cur.to}]`,
        );
    }
  }
  return found;
}
