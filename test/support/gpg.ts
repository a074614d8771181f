/**
 * Real signing keys for tests: OpenPGP keys each in its own temporary GnuPG home, made with the
 * `gpg` CLI, and SSH keys made with `ssh-keygen`, so commits and tags are signed exactly as users
 * sign them.
 */
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { SigningKey } from "../../src/dev/git-server/index.js";

/** A key pair in a temporary GnuPG home. */
export interface GpgKey extends SigningKey {
  readonly keyId: string;
  /** Armored public key, as a verify Secret holds it. */
  readonly publicKey: string;
  /** Stops the key's gpg-agent and removes the home. */
  dispose(): Promise<void>;
}

function run(cmd: string, args: readonly string[], env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: { ...process.env, ...env } });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (c: Buffer) => out.push(c));
    child.stderr.on("data", (c: Buffer) => err.push(c));
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0
        ? resolve(Buffer.concat(out).toString("utf8"))
        : reject(new Error(`${cmd} ${args.join(" ")}: ${Buffer.concat(err).toString("utf8")}`)),
    );
    child.stdin.end();
  });
}

/** Generates an ed25519 signing key for `name <email>` with no passphrase. */
export async function createGpgKey(name: string, email: string): Promise<GpgKey> {
  const gnupgHome = await mkdtemp(join(tmpdir(), "gpg-"));
  const env = { GNUPGHOME: gnupgHome };
  const batch = ["--batch", "--pinentry-mode", "loopback", "--passphrase", ""];
  await run("gpg", [...batch, "--quick-gen-key", `${name} <${email}>`, "ed25519", "sign", "never"], env);
  const colons = await run("gpg", ["--with-colons", "--list-keys", email], env);
  const keyId =
    colons
      .split("\n")
      .find((l) => l.startsWith("pub:"))
      ?.split(":")[4] ?? "";
  const publicKey = await run("gpg", ["--armor", "--export", email], env);
  return {
    gnupgHome,
    keyId,
    publicKey,
    dispose: async () => {
      await run("gpgconf", ["--kill", "gpg-agent"], env).catch(() => undefined);
      await rm(gnupgHome, { recursive: true, force: true });
    },
  };
}

/** An SSH signing key with its public half. */
export interface SshSigningKey extends SigningKey {
  /** `ssh-ed25519 AAAA… comment`, as an authorized_keys line. */
  readonly publicKey: string;
  /** `SHA256:…`, as `ssh-keygen -l` prints it. */
  readonly fingerprint: string;
  dispose(): Promise<void>;
}

/** SSH key types `ssh-keygen -t` makes that git can sign with. */
export type SshKeyType = "ed25519" | "rsa" | "ecdsa-256" | "ecdsa-384" | "ecdsa-521";

const KEYGEN_ARGS: Readonly<Record<SshKeyType, readonly string[]>> = {
  ed25519: ["-t", "ed25519"],
  rsa: ["-t", "rsa", "-b", "3072"],
  "ecdsa-256": ["-t", "ecdsa", "-b", "256"],
  "ecdsa-384": ["-t", "ecdsa", "-b", "384"],
  "ecdsa-521": ["-t", "ecdsa", "-b", "521"],
};

/** An SSH key (for git's `gpg.format=ssh` signing) made by `ssh-keygen` in a temporary directory. */
export async function createSshSigningKey(type: SshKeyType = "ed25519"): Promise<SshSigningKey> {
  const dir = await mkdtemp(join(tmpdir(), "sshsign-"));
  const keyId = join(dir, "id");
  await run(
    "ssh-keygen",
    ["-q", ...KEYGEN_ARGS[type], "-N", "", "-C", "signer@mooring.test", "-f", keyId],
    {},
  );
  const publicKey = await readFile(`${keyId}.pub`, "utf8");
  const fingerprint = (await run("ssh-keygen", ["-l", "-f", `${keyId}.pub`], {})).split(" ")[1] ?? "";
  return {
    keyId,
    format: "ssh",
    publicKey,
    fingerprint,
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
}

/** Signs `file` with `ssh-keygen -Y sign` in `namespace`; returns the armored signature. */
export async function sshSignFile(key: SshSigningKey, file: string, namespace = "git"): Promise<string> {
  await run("ssh-keygen", ["-q", "-Y", "sign", "-n", namespace, "-f", key.keyId, file], {});
  const signature = await readFile(`${file}.sig`, "utf8");
  await rm(`${file}.sig`, { force: true });
  return signature;
}
