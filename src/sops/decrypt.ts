/**
 * The SOPS decryptor as a pure function of (file bytes, format, keys): load the encrypted tree,
 * recover the data key, decrypt every encrypted leaf, check the MAC over the values, and emit the
 * plaintext in the same format. It also returns the decrypted values so callers can scrub them
 * from anything a user sees. Error messages name paths and recipients, never values.
 */
import { createHash } from "node:crypto";
import { decryptValue, SopsValueError } from "./cipher.js";
import { type SopsKeys, unwrapDataKey } from "./keys.js";
import { parseMetadata, shouldBeEncrypted, type SopsMetadata } from "./metadata.js";
import { emitPlainFile, loadEncryptedFile, type SopsFormat } from "./stores.js";
import { isSopsMap, macBytes, SopsComment, type SopsMap, type SopsNode } from "./tree.js";

/** The plaintext of a file and the secret values found in it. */
export interface DecryptedFile {
  readonly plaintext: Buffer;
  /** Every decrypted non-empty value (for scrubbing). */
  readonly values: string[];
}

/** The MAC SOPS sets at initialisation when only encrypted values are hashed. */
const MAC_ONLY_ENCRYPTED_INIT = Buffer.from(
  "8a3fd2ad54ce66527b1034f3d147be0b0b975b3bf44f72c6fdadec8176f27d69",
  "hex",
);

class TreeDecryption {
  readonly hash = createHash("sha512");
  readonly values: string[] = [];
  /** The raw bytes of the top-level `data` leaf (binary files). */
  binaryData: Buffer | undefined;

  constructor(
    private readonly meta: SopsMetadata,
    private readonly key: Buffer,
  ) {
    if (meta.macOnlyEncrypted) this.hash.update(MAC_ONLY_ENCRYPTED_INIT);
  }

  walk(node: SopsNode, path: string[]): SopsNode {
    if (Array.isArray(node)) return node.map((n) => this.walk(n, path));
    if (isSopsMap(node)) return this.walkMap(node, path);
    return this.leaf(node, path);
  }

  walkMap(map: SopsMap, path: string[]): SopsMap {
    const entries = map.entries.map((e) =>
      e instanceof SopsComment ? this.comment(e, path) : { key: e.key, value: this.walk(e.value, [...path, e.key]) },
    );
    return { kind: "map", entries };
  }

  /** Comments are decrypted when they can be and never hashed (as SOPS does). */
  private comment(c: SopsComment, path: string[]): SopsComment {
    if (!shouldBeEncrypted(this.meta.rule, path)) return c;
    try {
      const { leaf, raw } = decryptValue(c.text, this.key, `${path.join(":")}:`);
      return leaf instanceof SopsComment ? leaf : new SopsComment(raw.toString("utf8"));
    } catch {
      return c;
    }
  }

  private leaf(value: Exclude<SopsNode, SopsMap | SopsNode[]>, path: string[]): SopsNode {
    if (value === null) return null;
    const encrypted = shouldBeEncrypted(this.meta.rule, path);
    if (!encrypted) {
      if (!this.meta.macOnlyEncrypted) this.hash.update(macBytes(value));
      return value;
    }
    if (typeof value !== "string") {
      throw new SopsValueError(`value at '${path.join(":")}' should be encrypted but is not a string`);
    }
    const { leaf, raw } = decryptValue(value, this.key, `${path.join(":")}:`);
    if (leaf instanceof SopsComment) throw new SopsValueError(`value at '${path.join(":")}' decrypts to a comment`);
    this.hash.update(typeof leaf === "string" ? raw : macBytes(leaf));
    if (raw.length > 0) this.values.push(raw.toString("utf8"));
    if (path.length === 1 && path[0] === "data") this.binaryData = raw;
    return leaf;
  }

  /** SOPS's MAC check: the stored MAC, decrypted with lastmodified as additional data. */
  verifyMac(): void {
    const computed = this.hash.digest("hex").toUpperCase();
    let stored: string;
    try {
      stored = decryptValue(this.meta.mac, this.key, this.meta.lastModified).raw.toString("utf8");
    } catch {
      throw new Error("failed to verify sops data integrity: the MAC cannot be decrypted (the file was tampered with)");
    }
    if (stored !== computed) {
      throw new Error(
        "failed to verify sops data integrity: MAC mismatch (the file was changed without sops; edit it with 'sops' or re-encrypt it)",
      );
    }
  }
}

/**
 * Decrypts a SOPS file of `format` with `keys`, checking its MAC. Throws an `Error` whose message
 * says what failed (no secret values).
 */
export async function decryptSops(bytes: Buffer, format: SopsFormat, keys: SopsKeys): Promise<DecryptedFile> {
  const loaded = loadEncryptedFile(bytes, format);
  const meta = parseMetadata(loaded.meta);
  const dataKey = await unwrapDataKey(meta, keys);
  const run = new TreeDecryption(meta, dataKey);
  const branches = loaded.branches.map((b) => run.walkMap(b, []));
  run.verifyMac();
  return { plaintext: emitPlainFile(branches, format, run.binaryData), values: run.values };
}
