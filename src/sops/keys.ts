/**
 * Decryption keys and the recovery of a file's data key from them. Keys come from a Secret as
 * Flux reads it: `*.agekey` entries hold age identities (one per line, `#` comments), `*.asc`
 * entries armored OpenPGP keys. The data key is unwrapped with the `age-encryption` and `openpgp`
 * libraries; nothing here logs or returns key material in messages.
 */
import { armor, Decrypter } from "age-encryption";
import * as openpgp from "openpgp";
import type { MasterKey, SopsMetadata } from "./metadata.js";

/** The keys one reconcile can decrypt with. */
export interface SopsKeys {
  /** age identities (`AGE-SECRET-KEY-1…`). */
  readonly age: readonly string[];
  /** Unprotected OpenPGP private keys. */
  readonly pgp: readonly openpgp.PrivateKey[];
}

/** A key entry of the decryption Secret cannot be used; the message names the entry only. */
export class SopsKeyImportError extends Error {
  override name = "SopsKeyImportError";
}

/** The age identities of one `.agekey` entry. */
export function parseAgeIdentities(text: string, entry: string): string[] {
  const out: string[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    if (!/^AGE-SECRET-KEY-(PQ-)?1[0-9A-Z]+$/.test(line)) {
      throw new SopsKeyImportError(`'${entry}' holds a line that is not an age identity (AGE-SECRET-KEY-1…)`);
    }
    out.push(line);
  }
  return out;
}

/**
 * The private keys of one `.asc` entry. Public-only keyrings import as nothing (as with gpg);
 * a passphrase-protected key cannot be used by a controller and is refused.
 */
export async function parsePgpKeys(armored: string, entry: string): Promise<openpgp.PrivateKey[]> {
  let keys: openpgp.PrivateKey[];
  try {
    keys = await openpgp.readPrivateKeys({ armoredKeys: armored });
  } catch {
    try {
      await openpgp.readKeys({ armoredKeys: armored });
      return [];
    } catch {
      throw new SopsKeyImportError(`'${entry}' is not an armored OpenPGP key`);
    }
  }
  if (keys.some((k) => !k.isDecrypted())) {
    throw new SopsKeyImportError(`'${entry}' holds a passphrase-protected OpenPGP key; export it without a passphrase`);
  }
  return keys;
}

async function unwrapAge(key: Extract<MasterKey, { type: "age" }>, keys: SopsKeys): Promise<Buffer | undefined> {
  if (keys.age.length === 0) return undefined;
  const d = new Decrypter();
  for (const id of keys.age) d.addIdentity(id);
  try {
    return Buffer.from(await d.decrypt(armor.decode(key.enc)));
  } catch {
    return undefined;
  }
}

async function unwrapPgp(key: Extract<MasterKey, { type: "pgp" }>, keys: SopsKeys): Promise<Buffer | undefined> {
  if (keys.pgp.length === 0) return undefined;
  try {
    const message = await openpgp.readMessage({ armoredMessage: key.enc });
    const result = (await openpgp.decrypt({ message, decryptionKeys: [...keys.pgp], format: "binary" })) as {
      data: Uint8Array;
    };
    return Buffer.from(result.data);
  } catch {
    return undefined;
  }
}

function describe(keys: readonly MasterKey[]): string {
  return keys
    .map((k) => (k.type === "age" ? `age ${k.recipient}` : k.type === "pgp" ? `PGP ${k.fingerprint}` : k.service))
    .join(", ");
}

/**
 * Recovers the file's 32-byte data key with the given keys (SOPS tries age before PGP). Throws
 * with the recipients the file was encrypted for, so the user sees which key is missing.
 */
export async function unwrapDataKey(meta: SopsMetadata, keys: SopsKeys): Promise<Buffer> {
  if (meta.keyGroups.length !== 1) {
    throw new Error(
      `cannot get sops data key: the file uses ${meta.keyGroups.length} key groups (Shamir secret sharing), which mooring does not support; encrypt with a single key group`,
    );
  }
  const group = meta.keyGroups[0] ?? [];
  const ordered = [...group.filter((k) => k.type === "age"), ...group.filter((k) => k.type === "pgp")];
  for (const key of ordered) {
    const dataKey = key.type === "age" ? await unwrapAge(key, keys) : key.type === "pgp" ? await unwrapPgp(key, keys) : undefined;
    if (dataKey !== undefined && dataKey.length === 32) return dataKey;
  }
  if (ordered.length === 0) {
    throw new Error(
      `cannot get sops data key: the file is encrypted only for ${describe(group)}, which mooring does not support; add an age or OpenPGP recipient (sops updatekeys)`,
    );
  }
  return Promise.reject(
    new Error(`cannot get sops data key: none of the decryption keys matches a recipient of the file (${describe(group)})`),
  );
}
