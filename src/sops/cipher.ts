/**
 * SOPS's value cipher: every encrypted leaf is `ENC[AES256_GCM,data:…,iv:…,tag:…,type:…]`,
 * AES-256-GCM under the file's data key with the leaf's path as additional data. Errors never
 * carry the value (Flux redacts it too): they name the path only.
 */
import { createDecipheriv } from "node:crypto";
import { SopsComment, SopsFloat, type SopsScalar } from "./tree.js";

const ENC_RE = /^ENC\[AES256_GCM,data:(.+),iv:(.+),tag:(.+),type:(.+)\]/;

/** Whether a string looks like a SOPS-encrypted leaf. */
export function isEncryptedValue(value: string): boolean {
  return ENC_RE.test(value);
}

/** A decrypted leaf: a scalar, or a comment for `type:comment`. */
export type DecryptedLeaf = Exclude<SopsScalar, null> | SopsComment;

/** Decryption of one value failed; the message names where, never what. */
export class SopsValueError extends Error {
  override name = "SopsValueError";
}

/** Parsers of the plaintext per `type:` tag (Go's strconv rules); undefined: not valid. */
const DATATYPES: Record<string, (text: string) => DecryptedLeaf | undefined> = {
  str: (text) => text,
  bytes: (text) => text,
  time: (text) => text,
  comment: (text) => new SopsComment(text),
  int: (text) => (/^[+-]?\d+$/.test(text) ? BigInt(text) : undefined),
  float: (text) => (text.trim() === "" || Number.isNaN(Number(text)) ? undefined : new SopsFloat(Number(text))),
  bool: (text) => (/^(1|t|T|TRUE|true|True)$/.test(text) ? true : /^(0|f|F|FALSE|false|False)$/.test(text) ? false : undefined),
};

function typed(text: string, type: string, where: string): DecryptedLeaf {
  const parse = DATATYPES[type];
  if (parse === undefined) throw new SopsValueError(`value at ${where} has unknown datatype '${type}'`);
  const value = parse(text);
  if (value === undefined) throw new SopsValueError(`value at ${where} is not a valid ${type}`);
  return value;
}

/** A decrypted leaf and its raw plaintext bytes (what the MAC hashes for strings). */
export interface Decrypted {
  readonly leaf: DecryptedLeaf;
  readonly raw: Buffer;
}

/**
 * Decrypts one `ENC[...]` value with the data key; `aad` is the path joined by `:` plus a
 * trailing `:`. An empty string stays empty (SOPS never encrypts empty values).
 */
export function decryptValue(ciphertext: string, key: Buffer, aad: string): Decrypted {
  if (ciphertext === "") return { leaf: "", raw: Buffer.alloc(0) };
  const where = aad === ":" ? "the document root" : `'${aad.slice(0, -1)}'`;
  const m = ENC_RE.exec(ciphertext);
  if (m === null) throw new SopsValueError(`value at ${where} is not in SOPS's encrypted format`);
  const [, data = "", iv = "", tag = "", type = ""] = m;
  let plain: Buffer;
  try {
    const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64"));
    decipher.setAAD(Buffer.from(aad, "utf8"));
    decipher.setAuthTag(Buffer.from(tag, "base64"));
    plain = Buffer.concat([decipher.update(Buffer.from(data, "base64")), decipher.final()]);
  } catch {
    throw new SopsValueError(`could not decrypt the value at ${where} with AES-GCM (wrong data key or tampered value)`);
  }
  return { leaf: typed(plain.toString("utf8"), type, where), raw: plain };
}
