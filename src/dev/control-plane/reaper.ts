/**
 * A watchdog started (detached) next to every local control plane. If the process that started
 * the control plane dies without stopping it (Ctrl-C of a test run, a crash, SIGKILL), the
 * watchdog kills the control-plane processes listed in `<dir>/pids` and removes `<dir>`, so no
 * etcd or kube-apiserver outlives its owner. It exits on its own once `<dir>` is gone.
 *
 * Usage: node reaper.ts <owner-pid> <dir>. Only erasable TypeScript here: Node runs it directly.
 */
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";

const ownerPid = Number(process.argv[2]);
const dir = process.argv[3] ?? "";

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function reap(): void {
  let pids: number[] = [];
  try {
    pids = readFileSync(join(dir, "pids"), "utf8").split(/\s+/).filter(Boolean).map(Number);
  } catch {
    // no pids written yet: nothing was started
  }
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  const deadline = Date.now() + 10_000;
  while (pids.some(alive) && Date.now() < deadline)
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
  rmSync(dir, { recursive: true, force: true });
}

const timer = setInterval(() => {
  if (!existsSync(dir)) {
    clearInterval(timer);
    return;
  }
  if (!alive(ownerPid)) {
    clearInterval(timer);
    reap();
  }
}, 500);
