/**
 * The process-wide registry of secret values that must never reach a user (issue 14): values read
 * from `substituteFrom` Secrets, SOPS-decrypted data, and whatever else a reconcile learns that is
 * secret. {@link sanitizeMessage} scrubs every registered value, so conditions, events and log
 * lines are clean even when the text was written by code that never saw the Secret, such as an
 * API server error echoing an invalid label value.
 *
 * One registry per process rather than one per reconcile: a value must be scrubbed from every
 * sink, including log lines of the runtime and events aggregated later.
 */

/** Values shorter than this are not scrubbed: replacing "a" or "1" everywhere destroys messages. */
export const MIN_SECRET_LENGTH = 4;

/** The forms a value takes in text: as is, URL-encoded, JSON-escaped and base64-encoded. */
export function secretForms(value: string): string[] {
  const forms = [value, encodeURIComponent(value), JSON.stringify(value).slice(1, -1)];
  forms.push(Buffer.from(value, "utf8").toString("base64"));
  // Multi-line values also appear line by line (an API server quotes one field of a manifest).
  if (value.includes("\n")) forms.push(...value.split("\n").map((l) => l.trim()));
  return forms.filter((f) => f.length >= MIN_SECRET_LENGTH);
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Secret values by owner and source; see the module comment. */
export class SecretValues {
  private readonly byKey = new Map<string, ReadonlySet<string>>();
  private pattern: RegExp | null | undefined;

  /**
   * Replaces the values `owner` (e.g. `Kustomization/ns/name`) registered from `source` (e.g.
   * `substituteFrom`, `sops`) with `values`. A reconcile calls this each time it reads them, so a
   * rotated value replaces the old one.
   */
  set(owner: string, source: string, values: Iterable<string>): void {
    const forms = new Set([...values].flatMap(secretForms));
    const key = `${owner}\u0000${source}`;
    if (forms.size === 0) this.byKey.delete(key);
    else this.byKey.set(key, forms);
    this.pattern = undefined;
  }

  /** Adds values to what `owner` registered from `source` (e.g. one SOPS file at a time). */
  add(owner: string, source: string, values: Iterable<string>): void {
    const current = this.byKey.get(`${owner}\u0000${source}`) ?? [];
    this.set(owner, source, [...current, ...values]);
  }

  /** Forgets everything `owner` registered (the object was deleted). */
  forget(owner: string): void {
    for (const key of [...this.byKey.keys()]) if (key.startsWith(`${owner}\u0000`)) this.byKey.delete(key);
    this.pattern = undefined;
  }

  /** `text` with every registered value replaced by `replacement`. */
  scrub(text: string, replacement: string): string {
    const pattern = this.compiled();
    return pattern === null ? text : text.replace(pattern, replacement);
  }

  /** Number of distinct forms registered (tests, metrics). */
  get size(): number {
    return this.all().size;
  }

  private all(): Set<string> {
    const out = new Set<string>();
    for (const forms of this.byKey.values()) for (const f of forms) out.add(f);
    return out;
  }

  /** One alternation, longest first so a value containing another is replaced whole. */
  private compiled(): RegExp | null {
    if (this.pattern !== undefined) return this.pattern;
    const forms = [...this.all()].sort((a, b) => b.length - a.length);
    this.pattern = forms.length === 0 ? null : new RegExp(forms.map(escapeRegExp).join("|"), "g");
    return this.pattern;
  }
}

/** The registry of this process; {@link sanitizeMessage} consults it. */
export const secretValues = new SecretValues();

/**
 * Registers secret values a reconcile of `owner` learnt from `source`, replacing what it
 * registered from that source before. The API other steps (SOPS decryption) call.
 */
export function registerSecretValues(owner: string, source: string, values: Iterable<string>): void {
  secretValues.set(owner, source, values);
}

/** Forgets the secret values of a deleted object. */
export function forgetSecretValues(owner: string): void {
  secretValues.forget(owner);
}
