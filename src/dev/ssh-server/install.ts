/**
 * OpenSSH's server from Debian's packages, unpacked (not installed) into the mooring cache, so
 * tests and the bench run a real `sshd` without touching the system: `openssh-server` (sshd),
 * `libwrap0` (a library sshd links) and `libnss-wrapper` (lets sshd see a `git` user that is not
 * in /etc/passwd). `apt-get download` fetches the .debs, `dpkg-deb -x` unpacks them; a second
 * caller waits for the first through the build lock.
 */
import { execFile } from "node:child_process";
import { access, mkdir, mkdtemp, readdir, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { mooringCacheDir } from "../control-plane/cache.js";
import { withBuildLock } from "../go-build/lock.js";

const run = promisify(execFile);

/** Debian packages unpacked into the cache. */
export const OPENSSH_PACKAGES = ["openssh-server", "libwrap0", "libnss-wrapper"] as const;

/** Paths inside the unpacked tree. */
export interface OpenSshInstall {
  readonly sshd: string;
  /** LD_LIBRARY_PATH for sshd (libwrap). */
  readonly libraryPath: string;
  /** LD_PRELOAD for sshd (nss_wrapper). */
  readonly nssWrapper: string;
}

function layout(root: string): OpenSshInstall {
  const lib = join(root, "usr", "lib", "x86_64-linux-gnu");
  return {
    sshd: join(root, "usr", "sbin", "sshd"),
    libraryPath: lib,
    nssWrapper: join(lib, "libnss_wrapper.so"),
  };
}

const exists = (p: string): Promise<boolean> =>
  access(p).then(
    () => true,
    () => false,
  );

async function unpack(root: string): Promise<void> {
  const work = await mkdtemp(`${root}.tmp-`);
  try {
    await run("apt-get", ["download", ...OPENSSH_PACKAGES], { cwd: work }).catch((err: Error) => {
      throw new Error(
        `apt-get download ${OPENSSH_PACKAGES.join(" ")} failed (run 'apt-get update' first?): ${err.message}`,
      );
    });
    const tree = join(work, "tree");
    for (const deb of (await readdir(work)).filter((f) => f.endsWith(".deb"))) {
      await run("dpkg-deb", ["-x", join(work, deb), tree]);
    }
    await rm(root, { recursive: true, force: true });
    await rename(tree, root);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** The unpacked OpenSSH server, downloading and unpacking it on first use. */
export async function ensureOpenSsh(env: NodeJS.ProcessEnv = process.env): Promise<OpenSshInstall> {
  const root = join(mooringCacheDir(env), "openssh");
  const paths = layout(root);
  const ready = async (): Promise<boolean> => (await exists(paths.sshd)) && (await exists(paths.nssWrapper));
  if (await ready()) return paths;
  await mkdir(mooringCacheDir(env), { recursive: true });
  await withBuildLock(
    `${root}.lock`,
    () => undefined,
    async () => {
      if (!(await ready())) await unpack(root);
    },
  );
  return paths;
}
