import { createMessage, generateKey, readPrivateKey, sign } from "openpgp";
import { describe, expect, it } from "vitest";
import { parseSignedCommit, parseSignedTag, signatureType, verifyPGP } from "./git-signature.js";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

const COMMIT_HEAD =
  "tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\nauthor A <a@x> 1700000000 +0000\ncommitter A <a@x> 1700000000 +0000\n";
const MESSAGE = "\nsubject\n\nbody\n";

async function newKey(name: string) {
  const { privateKey, publicKey } = await generateKey({
    type: "ecc",
    curve: "ed25519Legacy",
    userIDs: [{ name }],
    format: "armored",
  });
  const key = await readPrivateKey({ armoredKey: privateKey });
  return { key, publicKey, keyId: key.getKeyID().toHex().toUpperCase() };
}

async function detachedSignature(
  payload: string,
  key: Awaited<ReturnType<typeof newKey>>["key"],
): Promise<string> {
  const message = await createMessage({ binary: enc(payload) });
  const signature: string = await sign({ message, signingKeys: key, detached: true, format: "armored" });
  return signature;
}

/** A commit object with a `gpgsig` header, as git writes it (continuation lines indented). */
const signedCommit = (signature: string) =>
  `${COMMIT_HEAD}gpgsig ${signature.trimEnd().split("\n").join("\n ")}\n${MESSAGE}`;

describe("git object signatures (issue 15)", () => {
  it("tells the signature type by its armor, as Flux does", () => {
    expect(signatureType("")).toBe("empty");
    expect(signatureType("-----BEGIN PGP SIGNATURE-----\nx")).toBe("openpgp");
    expect(signatureType("  -----BEGIN SSH SIGNATURE-----\nx")).toBe("ssh");
    expect(signatureType("-----BEGIN SIGNED MESSAGE-----")).toBe("x509");
    expect(signatureType("garbage")).toBe("unknown");
  });

  it("splits a commit into the payload without its gpgsig header and the signature", () => {
    const sig = "-----BEGIN PGP SIGNATURE-----\n\nabc\n-----END PGP SIGNATURE-----";
    const parsed = parseSignedCommit(enc(signedCommit(sig)));
    expect(dec(parsed.payload)).toBe(COMMIT_HEAD + MESSAGE);
    expect(parsed.signature).toBe(sig);
    expect(parseSignedCommit(enc(COMMIT_HEAD + MESSAGE)).signature).toBe("");
    // A "gpgsig" line in the message is not a header.
    expect(parseSignedCommit(enc(`${COMMIT_HEAD}\ngpgsig in the message\n`)).signature).toBe("");
  });

  it("splits an annotated tag at its trailing signature", () => {
    const head =
      "object 4b825dc642cb6eb9a060e54bf8d69288fbee4904\ntype commit\ntag v1\ntagger A <a@x> 1700000000 +0000\n\nrelease\n";
    const sig = "-----BEGIN PGP SIGNATURE-----\n\nabc\n-----END PGP SIGNATURE-----\n";
    const parsed = parseSignedTag(enc(head + sig));
    expect(dec(parsed.payload)).toBe(head);
    expect(parsed.signature).toBe(sig);
    expect(parseSignedTag(enc(head)).signature).toBe("");
  });

  it("verifies a signed commit with the right key ring and names the primary key", async () => {
    const signer = await newKey("signer");
    const other = await newKey("other");
    const signature = await detachedSignature(COMMIT_HEAD + MESSAGE, signer.key);
    const parsed = parseSignedCommit(enc(signedCommit(signature)));
    expect(await verifyPGP(parsed, [other.publicKey, signer.publicKey])).toBe(signer.keyId);
    await expect(verifyPGP(parsed, [other.publicKey])).rejects.toThrow(
      "unable to verify payload with any of the given key rings: no matching key",
    );
    await expect(verifyPGP(parsed, ["not a key"])).rejects.toThrow(/^unable to read armored key ring: /);
  });

  it("rejects a payload changed after signing", async () => {
    const signer = await newKey("signer");
    const signature = await detachedSignature(COMMIT_HEAD + MESSAGE, signer.key);
    const tampered = parseSignedCommit(enc(signedCommit(signature).replace("subject", "subjekt")));
    await expect(verifyPGP(tampered, [signer.publicKey])).rejects.toThrow("no matching key");
  });
});
