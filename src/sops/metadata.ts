/**
 * The `sops` metadata block: which leaves are encrypted, the MAC, and the master keys the data
 * key is wrapped with. Only age and OpenPGP keys can be used by mooring; files wrapped only for
 * other key services (KMS, Vault, ...) fail with a message saying so.
 */
import { isSopsMap, mapGet, SopsComment, type SopsMap, type SopsNode } from "./tree.js";

/** One wrapped copy of the data key. */
export type MasterKey =
  | { readonly type: "age"; readonly recipient: string; readonly enc: string }
  | { readonly type: "pgp"; readonly fingerprint: string; readonly enc: string }
  | { readonly type: "other"; readonly service: string };

/** Which leaves are encrypted: at most one rule is set (SOPS refuses more). */
export interface EncryptionRule {
  readonly unencryptedSuffix?: string;
  readonly encryptedSuffix?: string;
  readonly unencryptedRegex?: RegExp;
  readonly encryptedRegex?: RegExp;
}

/** What a file's `sops` block says. */
export interface SopsMetadata {
  readonly lastModified: string;
  readonly mac: string;
  readonly macOnlyEncrypted: boolean;
  readonly rule: EncryptionRule;
  readonly keyGroups: MasterKey[][];
  readonly shamirThreshold: number;
}

/** The file's SOPS metadata is missing or malformed. */
export class SopsMetadataError extends Error {
  override name = "SopsMetadataError";
}

const OTHER_SERVICES: Record<string, string> = {
  kms: "AWS KMS",
  gcp_kms: "GCP KMS",
  azure_kv: "Azure Key Vault",
  hc_vault: "HashiCorp Vault",
  hckms: "HuaweiCloud KMS",
};

const str = (node: SopsNode | undefined): string =>
  typeof node === "string" ? node : typeof node === "bigint" || typeof node === "boolean" ? String(node) : "";

const list = (node: SopsNode | undefined): SopsMap[] =>
  Array.isArray(node) ? node.filter((n): n is SopsMap => !(n instanceof SopsComment) && isSopsMap(n)) : [];

function keysOf(group: SopsMap): MasterKey[] {
  const keys: MasterKey[] = [];
  for (const k of list(mapGet(group, "age"))) {
    keys.push({ type: "age", recipient: str(mapGet(k, "recipient")), enc: str(mapGet(k, "enc")) });
  }
  for (const k of list(mapGet(group, "pgp"))) {
    keys.push({ type: "pgp", fingerprint: str(mapGet(k, "fp")), enc: str(mapGet(k, "enc")) });
  }
  for (const [field, service] of Object.entries(OTHER_SERVICES)) {
    for (const _ of list(mapGet(group, field))) keys.push({ type: "other", service });
  }
  return keys;
}

function regex(source: string, field: string): RegExp {
  try {
    return new RegExp(source, "u");
  } catch {
    throw new SopsMetadataError(`sops metadata has an invalid ${field}`);
  }
}

function ruleOf(meta: SopsMap): EncryptionRule {
  const rules = {
    unencrypted_suffix: str(mapGet(meta, "unencrypted_suffix")),
    encrypted_suffix: str(mapGet(meta, "encrypted_suffix")),
    unencrypted_regex: str(mapGet(meta, "unencrypted_regex")),
    encrypted_regex: str(mapGet(meta, "encrypted_regex")),
    unencrypted_comment_regex: str(mapGet(meta, "unencrypted_comment_regex")),
    encrypted_comment_regex: str(mapGet(meta, "encrypted_comment_regex")),
  };
  const set = Object.entries(rules).filter(([, v]) => v !== "");
  if (set.length > 1) throw new SopsMetadataError(`sops metadata sets more than one of ${set.map(([k]) => k).join(", ")}`);
  if (rules.unencrypted_comment_regex !== "" || rules.encrypted_comment_regex !== "") {
    throw new SopsMetadataError(
      "files encrypted with unencrypted_comment_regex or encrypted_comment_regex are not supported by mooring; re-encrypt with encrypted_regex or unencrypted_regex",
    );
  }
  if (rules.encrypted_suffix !== "") return { encryptedSuffix: rules.encrypted_suffix };
  if (rules.unencrypted_regex !== "") return { unencryptedRegex: regex(rules.unencrypted_regex, "unencrypted_regex") };
  if (rules.encrypted_regex !== "") return { encryptedRegex: regex(rules.encrypted_regex, "encrypted_regex") };
  return { unencryptedSuffix: rules.unencrypted_suffix === "" ? "_unencrypted" : rules.unencrypted_suffix };
}

/** Reads the (unflattened) `sops` map of a file. */
export function parseMetadata(meta: SopsMap): SopsMetadata {
  const mac = str(mapGet(meta, "mac"));
  const lastModified = str(mapGet(meta, "lastmodified"));
  if (lastModified === "") throw new SopsMetadataError("sops metadata has no lastmodified");
  const groups = list(mapGet(meta, "key_groups"));
  const keyGroups = groups.length > 0 ? groups.map(keysOf) : [keysOf(meta)];
  const threshold = Number(str(mapGet(meta, "shamir_threshold")) || "0");
  const macOnly = mapGet(meta, "mac_only_encrypted");
  return {
    lastModified,
    mac,
    macOnlyEncrypted: macOnly === true || macOnly === "true",
    rule: ruleOf(meta),
    keyGroups,
    shamirThreshold: threshold > 0 ? threshold : keyGroups.length,
  };
}

/** SOPS's rule for whether the leaf at `path` is encrypted. */
export function shouldBeEncrypted(rule: EncryptionRule, path: readonly string[]): boolean {
  if (rule.unencryptedSuffix !== undefined) return !path.some((p) => p.endsWith(rule.unencryptedSuffix ?? ""));
  if (rule.encryptedSuffix !== undefined) return path.some((p) => p.endsWith(rule.encryptedSuffix ?? ""));
  if (rule.unencryptedRegex !== undefined) return !path.some((p) => rule.unencryptedRegex?.test(p));
  if (rule.encryptedRegex !== undefined) return path.some((p) => rule.encryptedRegex?.test(p));
  return true;
}
