/**
 * SSHSIG verification (issue 15) on signatures made by the real tools: `git` with
 * `gpg.format=ssh` for commits and tags, `ssh-keygen -Y sign` for raw payloads, with keys made by
 * `ssh-keygen`.
 */
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createSshSigningKey,
  sshSignFile,
  type SshKeyType,
  type SshSigningKey,
} from "../../test/support/gpg.js";
import { createRepo } from "../dev/git-server/repo.js";
import { parseSignedCommit, parseSignedTag, type SignedObject } from "./git-signature.js";
import { parseSshSignature, verifySSH } from "./git-ssh-signature.js";

const TYPES: readonly SshKeyType[] = ["ed25519", "rsa", "ecdsa-256", "ecdsa-384", "ecdsa-521"];
const NO_MATCH = "unable to verify payload with any of the given authorized keys: no matching key";

let scratch: string;
const keys = new Map<SshKeyType, SshSigningKey>();
let stranger: SshSigningKey;

/** The raw bytes of a git object, untrimmed, so the payload is exactly what was signed. */
async function rawObject(cwd: string, kind: "commit" | "tag", rev: string): Promise<Uint8Array> {
  const { stdout } = await promisify(execFile)("git", ["cat-file", kind, rev], { cwd, encoding: "buffer" });
  return new Uint8Array(stdout);
}

const key = (type: SshKeyType): SshSigningKey => keys.get(type)!;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), "ssh-signature-test-"));
  const made = await Promise.all([...TYPES, "ed25519" as const].map((t) => createSshSigningKey(t)));
  TYPES.forEach((t, i) => keys.set(t, made[i]!));
  stranger = made.at(-1)!;
}, 60_000);

afterAll(async () => {
  await Promise.all([...keys.values(), stranger].map((k) => k?.dispose()));
  await rm(scratch, { recursive: true, force: true });
});

describe("verifySSH on git's SSH-signed objects", () => {
  const signedObjects = new Map<SshKeyType, { commit: SignedObject; tag: SignedObject }>();

  beforeAll(async () => {
    for (const type of TYPES) {
      const repo = await createRepo(scratch, `repo-${type}`, "unused", "main");
      const sha = await repo.commit({ files: { "a.yaml": `type: ${type}\n` }, sign: key(type) });
      await repo.tag("v1", { message: "release\n", sign: key(type) });
      signedObjects.set(type, {
        commit: parseSignedCommit(await rawObject(repo.barePath, "commit", sha)),
        tag: parseSignedTag(await rawObject(repo.barePath, "tag", "refs/tags/v1")),
      });
    }
  }, 60_000);

  it.each(TYPES)("a %s-signed commit and tag verify and name the key's fingerprint", (type) => {
    const { commit, tag } = signedObjects.get(type)!;
    const trusted = [stranger.publicKey, key(type).publicKey];
    expect(verifySSH(commit, trusted)).toBe(key(type).fingerprint);
    expect(verifySSH(tag, trusted)).toBe(key(type).fingerprint);
  });

  it("finds the key among several in one authorized_keys text, with comments and options", () => {
    const { commit } = signedObjects.get("ecdsa-384")!;
    const text = `# team keys\n\n${stranger.publicKey}no-touch-required ${key("ecdsa-384").publicKey}`;
    expect(verifySSH(commit, [text])).toBe(key("ecdsa-384").fingerprint);
  });

  it("a stranger's key does not verify: no matching key, and why", () => {
    const { commit } = signedObjects.get("ed25519")!;
    expect(() => verifySSH(commit, [stranger.publicKey, key("rsa").publicKey])).toThrow(
      `${NO_MATCH}\npublic key does not match`,
    );
  });

  it.each(TYPES)("a %s signature does not verify a changed payload", (type) => {
    const { commit } = signedObjects.get(type)!;
    const changed = Buffer.from(commit.payload).toString("latin1").replace("\nupdate", "\nupdatE");
    const tampered = { ...commit, payload: new Uint8Array(Buffer.from(changed, "latin1")) };
    expect(() => verifySSH(tampered, [key(type).publicKey])).toThrow(
      `${NO_MATCH}\nssh: signature did not verify`,
    );
  });

  it("reports unparseable authorized keys only when no text parses", () => {
    const { commit } = signedObjects.get("ed25519")!;
    expect(() => verifySSH(commit, ["not a key"])).toThrow(
      "unable to parse authorized keys: unable to parse authorized key: ssh: no key found",
    );
    expect(verifySSH(commit, ["not a key", key("ed25519").publicKey])).toBe(key("ed25519").fingerprint);
    expect(() => verifySSH(commit, ["not a key", stranger.publicKey])).toThrow(NO_MATCH);
  });
});

describe("verifySSH on ssh-keygen -Y sign signatures", () => {
  const PAYLOAD = "tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\n\nmessage\n";

  async function signed(namespace: string): Promise<SignedObject> {
    const file = join(scratch, `payload-${namespace}`);
    await writeFile(file, PAYLOAD);
    return {
      payload: new TextEncoder().encode(PAYLOAD),
      signature: await sshSignFile(key("ed25519"), file, namespace),
    };
  }

  it("verifies in the git namespace and parses the SSHSIG fields", async () => {
    const sig = await signed("git");
    expect(verifySSH(sig, [key("ed25519").publicKey])).toBe(key("ed25519").fingerprint);
    expect(parseSshSignature(sig.signature)).toMatchObject({
      namespace: "git",
      hashAlgorithm: "sha512",
      format: "ssh-ed25519",
    });
  });

  it("refuses a signature made for another namespace", async () => {
    const sig = await signed("file");
    expect(() => verifySSH(sig, [key("ed25519").publicKey])).toThrow(`${NO_MATCH}\nnamespace does not match`);
  });

  it("refuses a damaged armor with the unarmor error", async () => {
    const sig = await signed("git");
    const broken = { ...sig, signature: sig.signature.replace("-----END SSH SIGNATURE-----", "") };
    expect(() => verifySSH(broken, [key("ed25519").publicKey])).toThrow(
      "unable to unarmor SSH signature: invalid PEM block",
    );
    const badMagic = `-----BEGIN SSH SIGNATURE-----\n${Buffer.from("XXXXXX").toString("base64")}\n-----END SSH SIGNATURE-----`;
    expect(() => verifySSH({ ...sig, signature: badMagic }, [key("ed25519").publicKey])).toThrow(
      'unable to unarmor SSH signature: invalid magic preamble: expected "SSHSIG"',
    );
  });
});
