/**
 * `known_hosts` (the Secret key Flux requires with an `ssh://` URL), read the way OpenSSH reads
 * it: comma-separated host patterns with `*`/`?` wildcards and `!` negation, `[host]:port` for a
 * port other than 22, hashed names (`|1|salt|hmac`, as `ssh-keyscan -H` writes them) and the
 * `@revoked` marker. `@cert-authority` lines are kept apart: host certificates are not
 * supported, and a host known only through one fails with that said, not as "unknown".
 */
import { createHash, createHmac, timingSafeEqual } from "node:crypto";

/** One key line of a known_hosts file. */
export interface KnownHostLine {
  readonly marker: "cert-authority" | "revoked" | undefined;
  /** The host field as written (patterns, or one hashed name). */
  readonly hosts: string;
  /** Key type as written, e.g. `ssh-ed25519`. */
  readonly type: string;
  /** The public key blob (base64-decoded). */
  readonly blob: Buffer;
}

/** The keys that apply to one host. */
export interface HostKeys {
  /** Keys the server may present. */
  readonly keys: readonly KnownHostLine[];
  readonly revoked: readonly KnownHostLine[];
  /** Number of `@cert-authority` lines for the host (unsupported). */
  readonly certAuthorities: number;
}

/** One line as a key line, or undefined for comments, blank and malformed lines. */
function parseLine(raw: string): KnownHostLine | undefined {
  const line = raw.trim();
  if (line === "" || line.startsWith("#")) return undefined;
  const fields = line.split(/\s+/);
  const markers: Readonly<Record<string, KnownHostLine["marker"]>> = {
    "@cert-authority": "cert-authority",
    "@revoked": "revoked",
  };
  const marker = markers[fields[0] ?? ""];
  if (marker !== undefined) fields.shift();
  const [hosts, type, key] = fields;
  if (hosts === undefined || type === undefined || key === undefined) return undefined;
  const blob = Buffer.from(key, "base64");
  // A key blob starts with its own type: anything else is not a key line.
  return blobType(blob) === type ? { marker, hosts, type, blob } : undefined;
}

/** Parses known_hosts text; comments, blank lines and malformed lines are skipped. */
export function parseKnownHosts(text: string): KnownHostLine[] {
  return text
    .split(/\r?\n/)
    .map(parseLine)
    .filter((l): l is KnownHostLine => l !== undefined);
}

/** The name OpenSSH looks up: `host` on port 22, `[host]:port` otherwise. */
export function knownHostName(host: string, port: number): string {
  const bare = host.replace(/^\[(.*)\]$/, "$1").toLowerCase();
  return port === 22 ? bare : `[${bare}]:${port}`;
}

function wildcard(pattern: string, name: string): boolean {
  const re = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${re}$`, "i").test(name);
}

function hashedMatch(field: string, name: string): boolean {
  const [, , salt, hash] = field.split("|");
  if (salt === undefined || hash === undefined) return false;
  const want = Buffer.from(hash, "base64");
  const got = createHmac("sha1", Buffer.from(salt, "base64")).update(name).digest();
  return want.length === got.length && timingSafeEqual(want, got);
}

/** Whether a host field names `name` (a negated pattern that matches wins over everything). */
export function hostMatches(hosts: string, name: string): boolean {
  if (hosts.startsWith("|1|")) return hashedMatch(hosts, name);
  let matched = false;
  for (const pattern of hosts.split(",")) {
    if (pattern.startsWith("!")) {
      if (wildcard(pattern.slice(1), name)) return false;
    } else if (wildcard(pattern, name)) {
      matched = true;
    }
  }
  return matched;
}

/** The lines of `lines` that apply to `host`:`port`. */
export function hostKeysFor(lines: readonly KnownHostLine[], host: string, port: number): HostKeys {
  const name = knownHostName(host, port);
  const mine = lines.filter((l) => hostMatches(l.hosts, name));
  return {
    keys: mine.filter((l) => l.marker === undefined),
    revoked: mine.filter((l) => l.marker === "revoked"),
    certAuthorities: mine.filter((l) => l.marker === "cert-authority").length,
  };
}

/** Host key algorithms to offer for these keys, so the server presents one that can be checked. */
export function hostKeyAlgorithms(keys: readonly KnownHostLine[]): string[] {
  const algos = keys.flatMap((k) =>
    k.type === "ssh-rsa" ? ["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"] : [k.type],
  );
  return [...new Set(algos)];
}

/** The key type inside an SSH public key blob (its first length-prefixed string). */
export function blobType(blob: Buffer): string {
  if (blob.length < 4) return "unknown";
  const len = blob.readUInt32BE(0);
  if (len > blob.length - 4) return "unknown";
  return blob.subarray(4, 4 + len).toString("latin1");
}

/** OpenSSH's fingerprint form, `SHA256:<unpadded base64>`. */
export function fingerprint(blob: Buffer): string {
  return `SHA256:${createHash("sha256").update(blob).digest("base64").replace(/=+$/, "")}`;
}
