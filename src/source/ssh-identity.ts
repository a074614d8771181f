/**
 * The `identity` of a GitRepository's SSH Secret, loaded before any connection so a bad key
 * fails as `AuthenticationFailed` with what to fix, as Flux's auth options do: RSA, ECDSA and
 * Ed25519 in OpenSSH or PEM form, encrypted ones with the Secret's `password`. PKCS#8 PEM
 * (`BEGIN PRIVATE KEY`, which ssh2 cannot read) is converted to a form it can.
 */
import { createPrivateKey, createPublicKey, type KeyObject } from "node:crypto";
import ssh2, { type ParsedKey } from "ssh2";

const { utils } = ssh2;

/** A key ssh2 can use, or why not. */
export type IdentityResult = { readonly key: string; readonly type: string } | { readonly problem: string };

function sshString(data: Buffer | string): Buffer {
  const body = typeof data === "string" ? Buffer.from(data) : data;
  const len = Buffer.alloc(4);
  len.writeUInt32BE(body.length);
  return Buffer.concat([len, body]);
}

/** An unencrypted `openssh-key-v1` file for an Ed25519 key (the only form ssh2 reads it in). */
function openSshEd25519(key: KeyObject): string {
  const jwk = key.export({ format: "jwk" });
  const seed = Buffer.from(jwk.d ?? "", "base64url");
  const pub = Buffer.from(createPublicKey(key).export({ format: "jwk" }).x ?? "", "base64url");
  const pubBlob = Buffer.concat([sshString("ssh-ed25519"), sshString(pub)]);
  const check = Buffer.alloc(8, 0x2a);
  let priv = Buffer.concat([
    check,
    sshString("ssh-ed25519"),
    sshString(pub),
    sshString(Buffer.concat([seed, pub])),
    sshString(""),
  ]);
  const pad = (8 - (priv.length % 8)) % 8;
  priv = Buffer.concat([priv, Buffer.from(Array.from({ length: pad }, (_, i) => i + 1))]);
  const count = Buffer.alloc(4);
  count.writeUInt32BE(1);
  const body = Buffer.concat([
    Buffer.from("openssh-key-v1\0"),
    sshString("none"),
    sshString("none"),
    sshString(""),
    count,
    sshString(pubBlob),
    sshString(priv),
  ]);
  const lines = body.toString("base64").match(/.{1,70}/g) ?? [];
  return `-----BEGIN OPENSSH PRIVATE KEY-----\n${lines.join("\n")}\n-----END OPENSSH PRIVATE KEY-----\n`;
}

/** PKCS#8 (plain or encrypted) to PKCS#1 / SEC1 PEM or OpenSSH, which ssh2 reads. */
function fromPkcs8(pem: string, passphrase: string | undefined): string {
  const key = createPrivateKey({ key: pem, format: "pem", ...(passphrase ? { passphrase } : {}) });
  if (key.asymmetricKeyType === "ed25519") return openSshEd25519(key);
  const type = key.asymmetricKeyType === "ec" ? "sec1" : "pkcs1";
  return key.export({ format: "pem", type }).toString();
}

function problemOf(message: string, hasPassword: boolean): string {
  if (/no passphrase given/i.test(message) || (/encrypted/i.test(message) && !hasPassword))
    return "the private key 'identity' is encrypted: add its passphrase to the Secret as 'password'";
  if (/passphrase|decrypt|integrity/i.test(message))
    return "cannot decrypt the private key 'identity' with the Secret's 'password': check the passphrase";
  return "the private key 'identity' cannot be read: expected an RSA, ECDSA or Ed25519 key in OpenSSH or PEM format";
}

/** Loads `identity` with the optional `password`; never echoes key material. */
export function loadIdentity(identity: string, password: string | undefined): IdentityResult {
  let text = identity;
  if (/-----BEGIN (ENCRYPTED )?PRIVATE KEY-----/.test(identity)) {
    try {
      text = fromPkcs8(identity, password);
    } catch (err) {
      return { problem: problemOf((err as Error).message, password !== undefined) };
    }
  }
  const parsed: ParsedKey | ParsedKey[] | Error = utils.parseKey(text, password);
  const key: ParsedKey | Error | undefined = Array.isArray(parsed) ? (parsed as ParsedKey[])[0] : parsed;
  if (key === undefined || key instanceof Error) {
    return { problem: problemOf(key?.message ?? "", password !== undefined) };
  }
  if (key.isPrivateKey() !== true) return { problem: "'identity' holds a public key, not a private key" };
  return { key: text, type: key.type };
}
