import { createHmac, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  blobType,
  fingerprint,
  hostKeyAlgorithms,
  hostKeysFor,
  hostMatches,
  knownHostName,
  parseKnownHosts,
} from "./known-hosts.js";

// Real public keys (test keys, generated for this file).
const ED = "AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UdStIKGnwg4IDJ6LmmP9ukoKo1bS";
const ED_BLOB = Buffer.from(ED, "base64");

function hashed(name: string): string {
  const salt = randomBytes(20);
  return `|1|${salt.toString("base64")}|${createHmac("sha1", salt).update(name).digest("base64")}`;
}

describe("known_hosts (issue 21)", () => {
  it("names a host as OpenSSH looks it up", () => {
    expect(knownHostName("github.com", 22)).toBe("github.com");
    expect(knownHostName("GitHub.com", 2222)).toBe("[github.com]:2222");
    expect(knownHostName("[::1]", 2222)).toBe("[::1]:2222");
  });

  it("matches patterns, wildcards, negations and hashed names", () => {
    expect(hostMatches("github.com,140.82.121.4", "github.com")).toBe(true);
    expect(hostMatches("*.example.com", "git.example.com")).toBe(true);
    expect(hostMatches("*.example.com,!bad.example.com", "bad.example.com")).toBe(false);
    expect(hostMatches("git?.example.com", "git1.example.com")).toBe(true);
    expect(hostMatches("[127.0.0.1]:2222", "[127.0.0.1]:2222")).toBe(true);
    expect(hostMatches("127.0.0.1", "[127.0.0.1]:2222")).toBe(false);
    expect(hostMatches(hashed("[127.0.0.1]:2222"), "[127.0.0.1]:2222")).toBe(true);
    expect(hostMatches(hashed("[127.0.0.1]:2222"), "[127.0.0.1]:2223")).toBe(false);
  });

  it("keeps keys, revoked keys and cert authorities apart, and skips junk", () => {
    const text = [
      "# comment",
      "",
      `[127.0.0.1]:2222 ssh-ed25519 ${ED} comment`,
      `@revoked [127.0.0.1]:2222 ssh-ed25519 ${ED}`,
      `@cert-authority *.example.com ssh-ed25519 ${ED}`,
      "not a key line",
      `other.host ssh-rsa ${ED}`,
      `[127.0.0.1]:2222 ssh-ed25519 bm90IGEga2V5`,
    ].join("\n");
    const lines = parseKnownHosts(text);
    expect(lines).toHaveLength(3);
    const mine = hostKeysFor(lines, "127.0.0.1", 2222);
    expect(mine.keys.map((k) => k.type)).toEqual(["ssh-ed25519"]);
    expect(mine.keys[0]!.blob.equals(ED_BLOB)).toBe(true);
    expect(mine.revoked).toHaveLength(1);
    expect(hostKeysFor(lines, "git.example.com", 22)).toMatchObject({ keys: [], certAuthorities: 1 });
  });

  it("offers the host key algorithms of the known keys (all RSA signature kinds for ssh-rsa)", () => {
    const line = (type: string) => ({ marker: undefined, hosts: "h", type, blob: ED_BLOB });
    const lines = [line("ssh-rsa"), line("ecdsa-sha2-nistp256"), line("ssh-rsa")];
    expect(hostKeyAlgorithms(lines)).toEqual([
      "rsa-sha2-512",
      "rsa-sha2-256",
      "ssh-rsa",
      "ecdsa-sha2-nistp256",
    ]);
  });

  it("reads a blob's type and prints OpenSSH fingerprints", () => {
    expect(blobType(ED_BLOB)).toBe("ssh-ed25519");
    expect(fingerprint(ED_BLOB)).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
  });
});
