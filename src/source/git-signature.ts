/**
 * Signatures of git commits and annotated tags, checked the way Flux does
 * (fluxcd/pkg git/signature, source-controller `verifyGitObject`): the signed payload is the raw
 * object without its signature, the signature type is told by its armor, and an OpenPGP
 * signature is verified against each trusted key ring in turn; the answer is the key ID of the
 * primary key that verified it.
 *
 * Parsing works on the raw object bytes, so the payload is exactly what the signer signed.
 */
import { createMessage, readKeys, readSignature, verify, type Key } from "openpgp";

/** A git object split into what was signed and its armored signature ("" when unsigned). */
export interface SignedObject {
  readonly payload: Uint8Array;
  readonly signature: string;
}

const ARMOR_TYPES: readonly (readonly [string, string])[] = [
  ["-----BEGIN PGP SIGNATURE-----", "openpgp"],
  ["-----BEGIN SSH SIGNATURE-----", "ssh"],
  ["-----BEGIN SIGNED MESSAGE-----", "x509"],
];

/** `openpgp`, `ssh`, `x509`, `empty` or `unknown`, as Flux's `GetSignatureType`. */
export function signatureType(signature: string): string {
  const trimmed = signature.trim();
  if (signature === "") return "empty";
  return ARMOR_TYPES.find(([prefix]) => trimmed.startsWith(prefix))?.[1] ?? "unknown";
}

const NL = 0x0a;

/** The index just past the `\n` that ends the line starting at `from` (or the length). */
function lineEnd(raw: Uint8Array, from: number): number {
  const i = raw.indexOf(NL, from);
  return i === -1 ? raw.length : i + 1;
}

/**
 * A commit: the `gpgsig` header (continuation lines start with a space) is the signature; the
 * payload is the object without that header.
 */
export function parseSignedCommit(raw: Uint8Array): SignedObject {
  const text = Buffer.from(raw).toString("latin1");
  const headerEnd = text.indexOf("\n\n");
  const start = text.search(/(^|\n)gpgsig /);
  if (start === -1 || (headerEnd !== -1 && start > headerEnd)) return { payload: raw, signature: "" };
  const from = text[start] === "\n" ? start + 1 : start;
  const lines: string[] = [];
  let end = lineEnd(raw, from);
  lines.push(text.slice(from + "gpgsig ".length, end).replace(/\n$/, ""));
  while (end < raw.length && raw[end] === 0x20) {
    const next = lineEnd(raw, end);
    lines.push(text.slice(end + 1, next).replace(/\n$/, ""));
    end = next;
  }
  const payload = Buffer.concat([raw.subarray(0, from), raw.subarray(end)]);
  return { payload: new Uint8Array(payload), signature: Buffer.from(lines.join("\n"), "latin1").toString() };
}

/** An annotated tag: the signature is the armored block that ends the message. */
export function parseSignedTag(raw: Uint8Array): SignedObject {
  const text = Buffer.from(raw).toString("latin1");
  const starts = ARMOR_TYPES.map(([prefix]) => text.lastIndexOf(`\n${prefix}`));
  const at = Math.max(...starts);
  if (at === -1) return { payload: raw, signature: "" };
  return { payload: raw.subarray(0, at + 1), signature: text.slice(at + 1) };
}

async function keysOf(armored: string): Promise<Key[]> {
  try {
    return await readKeys({ armoredKeys: armored });
  } catch (err) {
    throw new Error(`unable to read armored key ring: ${(err as Error).message}`, { cause: err });
  }
}

/** The ID (16 upper-case hex digits) of the primary key of `ring` that made a valid signature. */
async function verifiedBy(ring: Key[], signed: SignedObject): Promise<string | undefined> {
  const message = await createMessage({ binary: signed.payload });
  const signature = await readSignature({ armoredSignature: signed.signature.trim() });
  const result = await verify({ message, signature, verificationKeys: ring });
  for (const sig of result.signatures) {
    const ok = await sig.verified.then(
      () => true,
      () => false,
    );
    if (!ok) continue;
    const key = ring.find((k) => k.getKeys(sig.keyID).length > 0);
    if (key !== undefined) return key.getKeyID().toHex().toUpperCase();
  }
  return undefined;
}

/**
 * Verifies an OpenPGP signature with each key ring in turn; returns the key ID that verified it.
 * Throws with Flux's wording when no ring parses or none verifies.
 */
export async function verifyPGP(signed: SignedObject, keyRings: readonly string[]): Promise<string> {
  let readError: Error | undefined;
  let attempted = false;
  for (const armored of keyRings) {
    let ring: Key[];
    try {
      ring = await keysOf(armored);
    } catch (err) {
      readError ??= err as Error;
      continue;
    }
    attempted = true;
    const keyID = await verifiedBy(ring, signed).catch(() => undefined);
    if (keyID !== undefined) return keyID;
  }
  if (!attempted && readError !== undefined) throw readError;
  throw new Error("unable to verify payload with any of the given key rings: no matching key");
}
