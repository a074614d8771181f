/**
 * SOPS decryption for a Kustomization (`spec.decryption`, flux-compat §3.1), with Flux's rules:
 * keys from the referenced Secret (`*.agekey` age identities, `*.asc` OpenPGP keys) or, when
 * `secretRef` is unset, the `.agekey` entries of the controller's global `--sops-age-secret`;
 * encrypted inputs decrypted before the build (see sops-sources.ts) and SOPS files embedded in
 * Secret data after it; undecrypted Secrets refused before anything is applied.
 *
 * The hook holds the plaintext values it decrypted so the caller can scrub them from messages.
 */
import type { Kustomization } from "../api/index.js";
import type { KubeObject } from "../apply/types.js";
import { decryptSops } from "../sops/decrypt.js";
import { type SopsKeys, parseAgeIdentities, parsePgpKeys } from "../sops/keys.js";
import { FORMAT_MARKERS, formatForPath, type SopsFormat } from "../sops/stores.js";
import { isEncryptedValue } from "../sops/cipher.js";
import { formatObject, isJsonObject } from "../util/kube-object.js";
import { decryptKustomizationSources, isDecryptionDisabled } from "./sops-sources.js";

/** Reads a Secret's `data` (base64 values); undefined when it does not exist. */
export type SecretReader = (namespace: string, name: string) => Promise<Record<string, string> | undefined>;

/** The imported keys, and the Flux credential entries mooring cannot use (named in errors). */
export type DecryptionKeys = SopsKeys & { readonly unsupported?: readonly string[] };

/** Where the keys come from. */
export interface KeySources {
  readonly readSecret: SecretReader;
  /** `--sops-age-secret` in the runtime namespace, when configured. */
  readonly globalAgeSecret?: { readonly namespace: string; readonly name: string };
}

const FLUX_CLOUD_ENTRIES = new Set(["sops.vault-token", "sops.aws-kms", "sops.azure-kv", "sops.gcp-kms"]);

async function importEntries(
  data: Record<string, string>,
  ageOnly: boolean,
  shown: string,
): Promise<DecryptionKeys> {
  const age: string[] = [];
  const pgp: SopsKeys["pgp"][number][] = [];
  const unsupported: string[] = [];
  for (const [entry, b64] of Object.entries(data)) {
    const text = Buffer.from(b64, "base64").toString("utf8");
    try {
      if (entry.endsWith(".agekey")) age.push(...parseAgeIdentities(text, entry));
      else if (!ageOnly && entry.endsWith(".asc")) pgp.push(...(await parsePgpKeys(text, entry)));
      else if (!ageOnly && FLUX_CLOUD_ENTRIES.has(entry)) unsupported.push(entry);
    } catch (err) {
      throw new Error(
        `failed to import '${entry}' data from sops decryption Secret '${shown}': ${(err as Error).message}`,
        {
          cause: err,
        },
      );
    }
  }
  return { age, pgp, ...(unsupported.length > 0 ? { unsupported } : {}) };
}

/**
 * The keys for one reconcile: the `secretRef` Secret, else the global age Secret, else none.
 * Throws when a referenced Secret is missing or an entry cannot be imported.
 */
export async function loadDecryptionKeys(ks: Kustomization, sources: KeySources): Promise<DecryptionKeys> {
  const ref = ks.spec.decryption?.secretRef;
  if (ref === undefined) {
    const global = sources.globalAgeSecret;
    if (global === undefined) return { age: [], pgp: [] };
    const data = await sources.readSecret(global.namespace, global.name);
    if (data === undefined) throw new Error(`secrets "${global.name}" not found`);
    return importEntries(data, true, `${global.namespace}/${global.name}`);
  }
  const namespace = ks.metadata.namespace ?? "";
  const data = await sources.readSecret(namespace, ref.name);
  if (data === undefined) throw new Error(`secrets "${ref.name}" not found`);
  return importEntries(data, false, `${namespace}/${ref.name}`);
}

/** Decryption bound to one reconcile's keys. */
export class SopsDecryption {
  /**
   * @param values where the plaintext values decrypted in this reconcile are collected, for
   * scrubbing (never log them).
   */
  constructor(
    private readonly keys: DecryptionKeys,
    readonly values: string[] = [],
  ) {}

  private async decrypt(bytes: Buffer, format: SopsFormat, what: string): Promise<Buffer> {
    try {
      const out = await decryptSops(bytes, format, this.keys);
      this.values.push(...out.values);
      return out.plaintext;
    } catch (err) {
      const unsupported = this.keys.unsupported ?? [];
      const note =
        unsupported.length > 0
          ? `; the Secret's ${unsupported.join(", ")} entries are not supported by mooring (use age or OpenPGP keys)`
          : "";
      throw new Error(`failed to decrypt ${what}: ${(err as Error).message}${note}`, { cause: err });
    }
  }

  /** Decrypts the SOPS inputs of the build at `dir` in place (see sops-sources.ts). */
  async sources(root: string, dir: string): Promise<void> {
    await decryptKustomizationSources(root, dir, (bytes, format, file) =>
      this.decrypt(bytes, format, `'${file}'`),
    );
  }

  /**
   * Flux's Secret branch: a Secret data value that is itself a SOPS file (marker bytes present)
   * is decrypted in the format its key names. Secrets annotated `decrypt: disabled` are skipped.
   */
  async objects(objects: KubeObject[]): Promise<void> {
    for (const obj of objects) {
      if (obj.kind !== "Secret" || isDecryptionDisabled(obj.metadata.annotations)) continue;
      const data = obj.data;
      if (!isJsonObject(data)) continue;
      for (const [key, value] of Object.entries(data)) {
        if (typeof value !== "string") continue;
        const bytes = Buffer.from(value, "base64");
        const format = detectFormat(bytes);
        if (format === undefined) continue;
        const out = await this.decrypt(bytes, formatForPath(key), `${formatObject(obj)} data '${key}'`);
        data[key] = out.toString("base64");
      }
    }
  }
}

function detectFormat(bytes: Buffer): SopsFormat | undefined {
  for (const [format, marker] of Object.entries(FORMAT_MARKERS))
    if (bytes.includes(marker)) return format as SopsFormat;
  return undefined;
}

function holdsCiphertext(obj: KubeObject): boolean {
  if (obj.sops !== undefined) return true;
  for (const field of ["data", "stringData"] as const) {
    const values = obj[field];
    if (!isJsonObject(values)) continue;
    for (const v of Object.values(values)) {
      if (typeof v !== "string") continue;
      const text = field === "data" ? Buffer.from(v, "base64").toString("utf8") : v;
      if (isEncryptedValue(text) || detectFormat(Buffer.from(text, "utf8")) !== undefined) return true;
    }
  }
  return false;
}

/**
 * Flux refuses to apply a Secret that is still SOPS-encrypted; mooring also refuses one whose
 * values are SOPS ciphertext (an encrypted generator input that was not decrypted). Returns the
 * message for the first such Secret, or undefined. `decrypt: disabled` Secrets are let through.
 */
export function undecryptedSecretProblem(objects: readonly KubeObject[]): string | undefined {
  for (const obj of objects) {
    if (obj.kind !== "Secret" || obj.apiVersion !== "v1" || isDecryptionDisabled(obj.metadata.annotations))
      continue;
    if (holdsCiphertext(obj)) {
      return `${formatObject(obj)} is SOPS encrypted, configuring decryption is required for this secret to be reconciled`;
    }
  }
  return undefined;
}
