/**
 * The real `sops` CLI for tests (built once from its Go module into the mooring cache), with
 * fresh age and OpenPGP keys: tests encrypt with the tool users encrypt with.
 */
import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateIdentity, identityToRecipient } from "age-encryption";
import * as openpgp from "openpgp";
import { mooringCacheDir } from "../../src/dev/control-plane/cache.js";
import { ensureSopsCli } from "../../src/dev/sops/build.js";

/** Generous: the first run compiles sops (minutes on 2 cores). */
export const SOPS_BUILD_TIMEOUT_MS = 900_000;

/** An age key pair. */
export interface AgeKey {
  identity: string;
  recipient: string;
}

/** An OpenPGP key pair (armored) and its fingerprint. */
export interface PgpKey {
  privateKey: string;
  publicKey: string;
  fingerprint: string;
}

function run(
  cmd: string,
  args: string[],
  opts: { cwd: string; env: NodeJS.ProcessEnv; input?: string },
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env });
    const out: Buffer[] = [];
    let err = "";
    child.stdout.on("data", (c: Buffer) => out.push(c));
    child.stderr.on("data", (c: Buffer) => (err += c.toString()));
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0
        ? resolve(Buffer.concat(out).toString("binary"))
        : reject(new Error(`${cmd} ${args.join(" ")}: ${err}`)),
    );
    // A command that exits before reading its input (e.g. refusing its arguments) closes the pipe:
    // its exit code and stderr say why (the close handler), so EPIPE here is not an error of its own.
    child.stdin.on("error", () => undefined);
    child.stdin.end(opts.input ?? "");
  });
}

/** A fresh age key pair (age-encryption, the library mooring decrypts with). */
export async function newAgeKey(): Promise<AgeKey> {
  const identity = await generateIdentity();
  return { identity, recipient: await identityToRecipient(identity) };
}

/** A fresh unprotected OpenPGP key pair. */
export async function newPgpKey(): Promise<PgpKey> {
  const { privateKey, publicKey } = await openpgp.generateKey({
    type: "rsa",
    rsaBits: 2048,
    userIDs: [{ name: "mooring test", email: "test@mooring.invalid" }],
    format: "armored",
  });
  const key = await openpgp.readKey({ armoredKey: publicKey });
  return { privateKey, publicKey, fingerprint: key.getFingerprint().toUpperCase() };
}

/** The sops CLI with a private GNUPGHOME and working directory (no `.sops.yaml` found). */
export class Sops {
  private constructor(
    readonly binary: string,
    private readonly home: string,
  ) {}

  /** Builds (once) and prepares sops; `pgp` public keys are imported into its GNUPGHOME. */
  static async start(pgp: PgpKey[] = []): Promise<Sops> {
    const binary = await ensureSopsCli({
      cacheRoot: join(mooringCacheDir(process.env), "sops"),
      log: (l) => console.log(l),
    });
    const home = await mkdtemp(join(tmpdir(), "mooring-sops-"));
    const sops = new Sops(binary, home);
    for (const k of pgp)
      await run("gpg", ["--batch", "--import"], { cwd: home, env: sops.env(), input: k.publicKey });
    return sops;
  }

  private env(): NodeJS.ProcessEnv {
    return { PATH: process.env.PATH, HOME: this.home, GNUPGHOME: this.home };
  }

  /**
   * Encrypts `content` as a file named `name` (its extension picks the format unless `args`
   * say otherwise); returns the ciphertext bytes. `rule` is a `.sops.yaml` creation rule, for
   * settings sops has no flag for (mac_only_encrypted, comment regexes).
   */
  async encrypt(
    name: string,
    content: string | Buffer,
    args: string[],
    rule?: Record<string, unknown>,
  ): Promise<Buffer> {
    const file = join(this.home, name);
    await writeFile(file, content);
    const config = join(this.home, `${name}.sops.yaml`);
    if (rule !== undefined) await writeFile(config, JSON.stringify({ creation_rules: [rule] }));
    const withConfig = rule === undefined ? [] : ["--config", config];
    const out = await run(this.binary, [...withConfig, "encrypt", ...args, file], {
      cwd: this.home,
      env: this.env(),
    });
    return Buffer.from(out, "binary");
  }

  /** `sops decrypt` of `ciphertext` stored as `name`, with an age identity: the reference plaintext. */
  async decrypt(name: string, ciphertext: Buffer, ageIdentity: string, args: string[] = []): Promise<Buffer> {
    const file = join(this.home, name);
    await writeFile(file, ciphertext);
    const env = { ...this.env(), SOPS_AGE_KEY: ageIdentity };
    return Buffer.from(await run(this.binary, ["decrypt", ...args, file], { cwd: this.home, env }), "binary");
  }

  /** Removes the temporary home. */
  async stop(): Promise<void> {
    await rm(this.home, { recursive: true, force: true });
  }
}
