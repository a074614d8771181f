import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

/**
 * A directory lock with the owner's pid inside, so a build interrupted by a crash does not block
 * the next one forever: a lock whose owner is gone is taken over.
 */
export async function withBuildLock(
  lockDir: string,
  log: (line: string) => void,
  work: () => Promise<void>,
): Promise<void> {
  let announced = false;
  for (;;) {
    try {
      await mkdir(lockDir);
      await writeFile(join(lockDir, "pid"), String(process.pid));
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      if (!(await ownerAlive(lockDir))) {
        await rm(lockDir, { recursive: true, force: true });
        continue;
      }
      if (!announced) log("another process is building this; waiting for it");
      announced = true;
      await sleep(2000);
    }
  }
  try {
    await work();
  } finally {
    await rm(lockDir, { recursive: true, force: true });
  }
}

async function ownerAlive(lockDir: string): Promise<boolean> {
  try {
    const pid = Number(await readFile(join(lockDir, "pid"), "utf8"));
    if (!Number.isInteger(pid) || pid <= 0) return false;
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM means the process exists but belongs to someone else.
    return (
      (err as NodeJS.ErrnoException).code === "EPERM" || (err as NodeJS.ErrnoException).code === "ENOENT"
    );
  }
}
