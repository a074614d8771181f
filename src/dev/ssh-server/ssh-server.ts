/**
 * A real OpenSSH git server for tests and the bench: Debian's `sshd` (install.ts) on 127.0.0.1
 * and a random port, with its own host keys (Ed25519, ECDSA, RSA), public-key login only, and
 * `git-shell` as the login shell of its one user, `git` — the way a git host is set up.
 *
 * sshd runs as the current user; nss_wrapper gives it a passwd where `git` has that user's uid
 * (and, under root, the `sshd` privilege-separation user it needs). Every upload-pack it starts
 * traces to one log (GIT_TRACE + GIT_TRACE_PACKET), from which {@link SshGitServer.traffic}
 * tells a ref listing from a pack transfer.
 */
import { spawn, type ChildProcess, execFile } from "node:child_process";
import { appendFile, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import { freePort } from "../control-plane/ports.js";
import { ensureOpenSsh } from "./install.js";

const run = promisify(execFile);

/** Key types the server has host keys for, and tests make client keys of. */
export const SSH_KEY_TYPES = ["ed25519", "ecdsa", "rsa"] as const;
export type SshKeyType = (typeof SSH_KEY_TYPES)[number];

/** What upload-pack did since the last {@link SshGitServer.clearTraffic}. */
export interface SshGitTraffic {
  /** upload-pack processes started (one per SSH exec). */
  readonly uploadPacks: number;
  /** Protocol v2 `ls-refs` commands. */
  readonly lsRefs: number;
  /** `want` lines received (v0 or v2 fetch). */
  readonly wants: number;
  /** pack-objects runs, i.e. packs sent. */
  readonly packs: number;
}

/** A running server. */
export interface SshGitServer {
  readonly host: string;
  readonly port: number;
  /** known_hosts lines for every host key, as `ssh-keyscan -p <port> 127.0.0.1` prints them. */
  readonly knownHosts: string;
  /** `ssh://git@127.0.0.1:<port><barePath>`. */
  urlFor(barePath: string): string;
  /** Lets a public key (an `authorized_keys` line) log in. */
  authorize(publicKey: string): Promise<void>;
  traffic(): Promise<SshGitTraffic>;
  clearTraffic(): Promise<void>;
  /** sshd's own log (connections, accepted and refused keys). */
  log(): Promise<string>;
  stop(): Promise<void>;
}

/** Generates a key pair with ssh-keygen; returns the private key file's path. */
export async function sshKeygen(
  dir: string,
  name: string,
  type: SshKeyType,
  passphrase = "",
): Promise<{ privateKeyFile: string; privateKey: string; publicKey: string }> {
  const file = join(dir, name);
  await run("ssh-keygen", ["-q", "-t", type, "-N", passphrase, "-C", `${name}@mooring.test`, "-f", file]);
  return {
    privateKeyFile: file,
    privateKey: await readFile(file, "utf8"),
    publicKey: (await readFile(`${file}.pub`, "utf8")).trim(),
  };
}

function sshdConfig(dir: string, port: number, hostKeys: readonly string[]): string {
  const trace = join(dir, "git-trace.log");
  return [
    "ListenAddress 127.0.0.1",
    `Port ${port}`,
    ...hostKeys.map((k) => `HostKey ${k}`),
    `PidFile ${join(dir, "sshd.pid")}`,
    `AuthorizedKeysFile ${join(dir, "authorized_keys")}`,
    "AuthenticationMethods publickey",
    "PasswordAuthentication no",
    "KbdInteractiveAuthentication no",
    "PermitRootLogin prohibit-password",
    "UsePAM no",
    "StrictModes no",
    "UseDNS no",
    "AllowUsers git",
    "AllowTcpForwarding no",
    "X11Forwarding no",
    "MaxStartups 100:30:200",
    "MaxSessions 100",
    // What a git host accepts from `git` (protocol v2), and the trace the tests read.
    "AcceptEnv GIT_PROTOCOL",
    `SetEnv GIT_TRACE=${trace} GIT_TRACE_PACKET=${trace}`,
    "LogLevel VERBOSE",
    "",
  ].join("\n");
}

function nssFiles(dir: string): { passwd: string; group: string } {
  const uid = process.getuid?.() ?? 0;
  const gid = process.getgid?.() ?? 0;
  const home = join(dir, "home");
  return {
    passwd: [
      `git:x:${uid}:${gid}:git:${home}:/usr/bin/git-shell`,
      "sshd:x:65534:65534:privilege separation:/run/sshd:/usr/sbin/nologin",
      "",
    ].join("\n"),
    group: [`git:x:${gid}:`, "nogroup:x:65534:", ""].join("\n"),
  };
}

async function waitForPort(port: number, child: ChildProcess, logFile: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) {
      const log = await readFile(logFile, "utf8").catch(() => "");
      throw new Error(`sshd exited with ${child.exitCode}: ${log}`);
    }
    const open = await new Promise<boolean>((resolve) => {
      const s = connect(port, "127.0.0.1");
      s.once("connect", () => (s.destroy(), resolve(true)));
      s.once("error", () => resolve(false));
    });
    if (open) return;
    await sleep(50);
  }
  throw new Error(`sshd did not listen on 127.0.0.1:${port}`);
}

function count(log: string, re: RegExp): number {
  return log.split("\n").filter((l) => re.test(l)).length;
}

/** Starts sshd; `stop()` kills it and removes its directory. */
export async function startSshGitServer(): Promise<SshGitServer> {
  const openssh = await ensureOpenSsh();
  const dir = await mkdtemp(join(tmpdir(), "mooring-sshd-"));
  await mkdir(join(dir, "home"));
  if (process.getuid?.() === 0) await mkdir("/run/sshd", { recursive: true, mode: 0o755 });
  const hostKeys: string[] = [];
  const known: string[] = [];
  const port = await freePort();
  for (const type of SSH_KEY_TYPES) {
    const key = await sshKeygen(dir, `host_${type}`, type);
    hostKeys.push(key.privateKeyFile);
    known.push(`[127.0.0.1]:${port} ${key.publicKey.split(" ").slice(0, 2).join(" ")}`);
  }
  const nss = nssFiles(dir);
  await writeFile(join(dir, "passwd"), nss.passwd);
  await writeFile(join(dir, "group"), nss.group);
  await writeFile(join(dir, "authorized_keys"), "", { mode: 0o600 });
  await writeFile(join(dir, "sshd_config"), sshdConfig(dir, port, hostKeys));
  const logFile = join(dir, "sshd.log");
  const trace = join(dir, "git-trace.log");
  await writeFile(trace, "");
  const child = spawn(openssh.sshd, ["-D", "-f", join(dir, "sshd_config"), "-E", logFile], {
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      LD_LIBRARY_PATH: openssh.libraryPath,
      LD_PRELOAD: openssh.nssWrapper,
      NSS_WRAPPER_PASSWD: join(dir, "passwd"),
      NSS_WRAPPER_GROUP: join(dir, "group"),
    },
    stdio: "ignore",
  });
  await waitForPort(port, child, logFile);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return {
    host: "127.0.0.1",
    port,
    knownHosts: `${known.join("\n")}\n`,
    urlFor: (barePath) => `ssh://git@127.0.0.1:${port}${barePath}`,
    authorize: (publicKey) => appendFile(join(dir, "authorized_keys"), `${publicKey.trim()}\n`),
    async traffic() {
      const log = await readFile(trace, "utf8");
      return {
        uploadPacks: count(log, /built-in: git upload-pack/),
        lsRefs: count(log, /upload-pack< command=ls-refs/),
        wants: count(log, /upload-pack< want /),
        packs: count(log, /built-in: git pack-objects/),
      };
    },
    clearTraffic: () => writeFile(trace, ""),
    log: () => readFile(logFile, "utf8"),
    async stop() {
      if (child.exitCode === null) {
        child.kill("SIGTERM");
        await Promise.race([exited, sleep(5000)]);
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
