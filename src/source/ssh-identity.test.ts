import { execFileSync } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadIdentity } from "./ssh-identity.js";

const dir = mkdtempSync(join(tmpdir(), "identity-"));
function keygen(type: string, passphrase = ""): string {
  const file = join(dir, `${type}-${passphrase || "plain"}`);
  execFileSync("ssh-keygen", ["-q", "-t", type, "-N", passphrase, "-f", file]);
  return readFileSync(file, "utf8");
}

describe("SSH identity (issue 21)", () => {
  it.each([
    ["rsa", "ssh-rsa"],
    ["ecdsa", "ecdsa-sha2-nistp256"],
    ["ed25519", "ssh-ed25519"],
  ])("loads OpenSSH %s keys", (type, parsed) => {
    expect(loadIdentity(keygen(type), undefined)).toMatchObject({ type: parsed });
  });

  it("loads PKCS#8 PEM keys (converted for ssh2)", () => {
    for (const type of ["ed25519", "rsa", "ec"] as const) {
      const pair =
        type === "ec"
          ? generateKeyPairSync("ec", { namedCurve: "P-384" })
          : type === "rsa"
            ? generateKeyPairSync("rsa", { modulusLength: 2048 })
            : generateKeyPairSync("ed25519");
      const pem = pair.privateKey.export({ format: "pem", type: "pkcs8" }).toString();
      expect(loadIdentity(pem, undefined)).toHaveProperty("key");
    }
  });

  it("needs the passphrase of an encrypted key, and the right one; never echoes the key", () => {
    const key = keygen("ed25519", "s3cret-phrase");
    expect(loadIdentity(key, "s3cret-phrase")).toMatchObject({ type: "ssh-ed25519" });
    const missing = loadIdentity(key, undefined);
    expect(missing).toEqual({
      problem: expect.stringContaining("add its passphrase to the Secret as 'password'"),
    });
    expect(loadIdentity(key, "wrong")).toEqual({ problem: expect.stringContaining("check the passphrase") });
    expect(JSON.stringify(missing)).not.toContain(key.split("\n")[1]);
    // Each decryption runs OpenSSH's bcrypt KDF (16 rounds) in JavaScript: seconds of CPU on a
    // loaded 2-core machine, past vitest's 5 s default.
  }, 60_000);

  it("refuses public keys and junk", () => {
    expect(loadIdentity(readFileSync(join(dir, "rsa-plain.pub"), "utf8"), undefined)).toHaveProperty(
      "problem",
    );
    expect(loadIdentity("garbage", undefined)).toEqual({
      problem: expect.stringContaining("cannot be read"),
    });
  });
});
