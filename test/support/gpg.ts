/**
 * Real OpenPGP keys for signing tests: each key lives in its own temporary GnuPG home, made
 * with the `gpg` CLI, so commits and tags are signed exactly as users sign them.
 */
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
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

/** An ed25519 SSH key (for git's `gpg.format=ssh` signing) in a temporary directory. */
export async function createSshSigningKey(): Promise<SigningKey & { dispose(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), "sshsign-"));
  const keyId = join(dir, "id_ed25519");
  await run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "signer@mooring.test", "-f", keyId], {});
  return { keyId, format: "ssh", dispose: () => rm(dir, { recursive: true, force: true }) };
}
