/**
 * SSH signatures of git objects (`gpg.format=ssh`), verified as Flux does (fluxcd/pkg
 * git/signature `VerifySSHSignature`): the armored `SSHSIG` blob (OpenSSH PROTOCOL.sshsig) must
 * be made by one of the authorized keys, in the `git` namespace, over the raw object without its
 * signature; the answer is that key's SHA256 fingerprint. Ed25519, RSA (`rsa-sha2-256`/`-512`) and
 * ECDSA (P-256/384/521) keys are checked with node's crypto; other key types (FIDO `sk-*` keys)
 * are refused with a message naming the type.
 */
import { createHash, createPublicKey, type KeyObject, verify } from "node:crypto";
import type { SignedObject } from "./git-signature.js";

const NAMESPACE = "git";
const MAGIC = "SSHSIG";
const ARMOR_BEGIN = "-----BEGIN SSH SIGNATURE-----";
const ARMOR_END = "-----END SSH SIGNATURE-----";
/** Go's x/crypto/ssh wording for a signature that does not verify with the key. */
const DID_NOT_VERIFY = "ssh: signature did not verify";

/** Reads SSH wire-format fields (RFC 4251: uint32 and length-prefixed strings) in order. */
class WireReader {
  private at = 0;
  constructor(private readonly buf: Buffer) {}

  uint32(): number {
    if (this.at + 4 > this.buf.length) throw new Error("truncated SSH data");
    const value = this.buf.readUInt32BE(this.at);
    this.at += 4;
    return value;
  }

  bytes(): Buffer {
    const len = this.uint32();
    if (this.at + len > this.buf.length) throw new Error("truncated SSH data");
    const out = this.buf.subarray(this.at, this.at + len);
    this.at += len;
    return out;
  }

  text(): string {
    return this.bytes().toString("latin1");
  }
}

/** An SSH wire-format string: uint32 length, then the bytes. */
function wireString(data: Buffer | string): Buffer {
  const bytes = typeof data === "string" ? Buffer.from(data, "latin1") : data;
  const len = Buffer.alloc(4);
  len.writeUInt32BE(bytes.length);
  return Buffer.concat([len, bytes]);
}

/** The fields of an `SSHSIG` blob that verification needs. */
interface SshSig {
  readonly publicKey: Buffer;
  readonly namespace: string;
  readonly hashAlgorithm: string;
  /** Signature algorithm, e.g. `ssh-ed25519`, `rsa-sha2-512`, `ecdsa-sha2-nistp256`. */
  readonly format: string;
  readonly blob: Buffer;
}

/** Decodes the armored `SSHSIG` blob (version 1). */
export function parseSshSignature(armored: string): SshSig {
  const lines = armored.trim().split(/\r?\n/);
  if (lines[0] !== ARMOR_BEGIN || lines.at(-1) !== ARMOR_END) throw new Error("invalid PEM block");
  const blob = Buffer.from(lines.slice(1, -1).join(""), "base64");
  if (blob.subarray(0, MAGIC.length).toString("latin1") !== MAGIC)
    throw new Error(`invalid magic preamble: expected "${MAGIC}"`);
  const r = new WireReader(blob.subarray(MAGIC.length));
  const version = r.uint32();
  if (version !== 1) throw new Error(`unsupported signature version ${version}: expected 1`);
  const publicKey = r.bytes();
  const namespace = r.text();
  r.bytes(); // reserved
  const hashAlgorithm = r.text();
  const signature = new WireReader(r.bytes());
  return { publicKey, namespace, hashAlgorithm, format: signature.text(), blob: signature.bytes() };
}

/** `SHA256:<unpadded base64>` of a public key blob, as `ssh-keygen -l` prints it. */
export function sshFingerprint(keyBlob: Buffer): string {
  return `SHA256:${createHash("sha256").update(keyBlob).digest("base64").replace(/=+$/, "")}`;
}

/** The leading key type string of a public key blob, or undefined when it is not one. */
function keyTypeOf(blob: Buffer): string | undefined {
  try {
    return new WireReader(blob).text();
  } catch {
    return undefined;
  }
}

/**
 * The key blob of one authorized_keys line: the first `<type> <base64>` pair whose blob names
 * that type, so leading options and trailing comments are skipped.
 */
function authorizedKey(line: string): Buffer {
  const fields = line.split(/\s+/);
  for (let i = 0; i + 1 < fields.length; i++) {
    const blob = Buffer.from(fields[i + 1] ?? "", "base64");
    if (blob.length > 0 && keyTypeOf(blob) === fields[i]) return blob;
  }
  throw new Error("unable to parse authorized key: ssh: no key found");
}

/** The key blobs of an authorized_keys text (comments and blank lines skipped). */
function authorizedKeys(text: string): Buffer[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"))
    .map(authorizedKey);
}

const b64url = (b: Buffer): string => b.toString("base64url");
/** An SSH mpint without the sign byte that keeps it positive. */
const magnitude = (b: Buffer): Buffer => (b[0] === 0 ? b.subarray(1) : b);
const jwkKey = (key: Record<string, string>): KeyObject => createPublicKey({ key, format: "jwk" });

const RSA_HASHES: Readonly<Record<string, string>> = { "rsa-sha2-256": "sha256", "rsa-sha2-512": "sha512" };
const CURVES: Readonly<Record<string, { crv: string; hash: string; size: number }>> = {
  nistp256: { crv: "P-256", hash: "sha256", size: 32 },
  nistp384: { crv: "P-384", hash: "sha384", size: 48 },
  nistp521: { crv: "P-521", hash: "sha512", size: 66 },
};

function verifyEd25519(key: WireReader, data: Buffer, sig: SshSig): boolean {
  return verify(null, data, jwkKey({ kty: "OKP", crv: "Ed25519", x: b64url(key.bytes()) }), sig.blob);
}

function verifyRsa(key: WireReader, data: Buffer, sig: SshSig): boolean {
  const hash = RSA_HASHES[sig.format];
  // SHA-1 (`ssh-rsa`) signatures are refused, as OpenSSH refuses them for SSHSIG.
  if (hash === undefined)
    throw new Error(`ssh: signature algorithm ${sig.format} is not accepted for RSA keys`);
  const e = magnitude(key.bytes());
  const n = magnitude(key.bytes());
  return verify(hash, data, jwkKey({ kty: "RSA", n: b64url(n), e: b64url(e) }), sig.blob);
}

function verifyEcdsa(type: string, key: WireReader, data: Buffer, sig: SshSig): boolean {
  const curveName = key.text();
  const curve = CURVES[curveName];
  if (curve === undefined || type !== `ecdsa-sha2-${curveName}`)
    throw new Error(`unsupported SSH key type ${type}`);
  const point = key.bytes();
  if (point[0] !== 0x04 || point.length !== 1 + 2 * curve.size)
    throw new Error("ssh: invalid ECDSA public key");
  const x = point.subarray(1, 1 + curve.size);
  const y = point.subarray(1 + curve.size);
  const rs = new WireReader(sig.blob);
  const fixed = (v: Buffer): Buffer => {
    const m = magnitude(v);
    if (m.length > curve.size) throw new Error("ssh: invalid ECDSA signature");
    return Buffer.concat([Buffer.alloc(curve.size - m.length), m]);
  };
  const p1363 = Buffer.concat([fixed(rs.bytes()), fixed(rs.bytes())]);
  const publicKey = jwkKey({ kty: "EC", crv: curve.crv, x: b64url(x), y: b64url(y) });
  return verify(curve.hash, data, { key: publicKey, dsaEncoding: "ieee-p1363" }, p1363);
}

/** Checks the signature blob over `data` with the key; throws when it cannot be checked. */
function verifyWithKey(keyBlob: Buffer, data: Buffer, sig: SshSig): boolean {
  const key = new WireReader(keyBlob);
  const type = key.text();
  if (type !== "ssh-rsa" && sig.format !== type)
    throw new Error(`ssh: signature type ${sig.format} for key type ${type}`);
  if (type === "ssh-ed25519") return verifyEd25519(key, data, sig);
  if (type === "ssh-rsa") return verifyRsa(key, data, sig);
  if (type.startsWith("ecdsa-sha2-")) return verifyEcdsa(type, key, data, sig);
  throw new Error(`unsupported SSH key type ${type}`);
}

const HASHES: Readonly<Record<string, string>> = { sha256: "sha256", sha512: "sha512" };

/**
 * Why `keyBlob` does not verify the signature over `payload`, in the order (and the words) of the
 * sshsig library Flux uses; undefined when it does.
 */
function rejection(keyBlob: Buffer, sig: SshSig, payload: Uint8Array): string | undefined {
  if (!keyBlob.equals(sig.publicKey)) return "public key does not match";
  if (sig.namespace !== NAMESPACE) return "namespace does not match";
  const hash = HASHES[sig.hashAlgorithm];
  if (hash === undefined)
    return `unsupported hash algorithm "${sig.hashAlgorithm}": must be "sha256" or "sha512"`;
  const digest = createHash(hash).update(payload).digest();
  // The signed data of PROTOCOL.sshsig; its reserved field is always empty.
  const data = Buffer.concat([
    Buffer.from(MAGIC, "latin1"),
    wireString(NAMESPACE),
    wireString(""),
    wireString(sig.hashAlgorithm),
    wireString(digest),
  ]);
  try {
    return verifyWithKey(keyBlob, data, sig) ? undefined : DID_NOT_VERIFY;
  } catch (err) {
    return (err as Error).message;
  }
}

/**
 * Verifies an SSH signature against each authorized_keys text in turn; returns the fingerprint of
 * the key that made it. Throws with Flux's wording otherwise: the reasons each tried key gave,
 * one per line, after `no matching key`.
 */
export function verifySSH(signed: SignedObject, authorizedKeyTexts: readonly string[]): string {
  let sig: SshSig;
  try {
    sig = parseSshSignature(signed.signature);
  } catch (err) {
    throw new Error(`unable to unarmor SSH signature: ${(err as Error).message}`, { cause: err });
  }
  let readError: Error | undefined;
  let attempted = false;
  const reasons = new Set<string>();
  for (const text of authorizedKeyTexts) {
    let keys: Buffer[];
    try {
      keys = authorizedKeys(text);
    } catch (err) {
      readError ??= new Error(`unable to parse authorized keys: ${(err as Error).message}`);
      continue;
    }
    attempted = true;
    for (const key of keys) {
      const reason = rejection(key, sig, signed.payload);
      if (reason === undefined) return sshFingerprint(key);
      reasons.add(reason);
    }
  }
  if (!attempted && readError !== undefined) throw readError;
  const details = [...reasons].map((r) => `\n${r}`).join("");
  throw new Error(
    `unable to verify payload with any of the given authorized keys: no matching key${details}`,
  );
}
