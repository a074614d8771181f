import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { findReconcileError } from "../runtime/errors.js";
import { gitAuthFor } from "./git-auth.js";

const dir = mkdtempSync(join(tmpdir(), "ssh-auth-"));
execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", join(dir, "id")]);
const identity = readFileSync(join(dir, "id"), "utf8");
const pub = readFileSync(join(dir, "id.pub"), "utf8").split(" ").slice(0, 2).join(" ");

const failure = (fn: () => unknown): { reason?: string; message: string } => {
  try {
    fn();
  } catch (err) {
    return { reason: findReconcileError(err)?.reason, message: (err as Error).message };
  }
  throw new Error("no failure");
};

describe("SSH auth from Flux's Secret format (issue 21)", () => {
  it("takes the user, port and path from the URL and the host's known_hosts lines", () => {
    const auth = gitAuthFor(
      new URL("ssh://deploy@git.example.com:2222/org/app.git"),
      { identity, known_hosts: `[git.example.com]:2222 ${pub}\ngithub.com ${pub}` },
      "flux-system",
    );
    expect(auth.ssh).toMatchObject({
      host: "git.example.com",
      port: 2222,
      user: "deploy",
      path: "/org/app.git",
    });
    expect(auth.ssh?.hostKeys.keys).toHaveLength(1);
    expect(auth.secrets).toContain(identity);
    expect(auth.headers).toEqual({});
  });

  it("defaults the user to git and port 22; ~ paths are relative to the home", () => {
    const auth = gitAuthFor(
      new URL("ssh://github.com/~me/app.git"),
      { identity, known_hosts: `github.com ${pub}` },
      "s",
    );
    expect(auth.ssh).toMatchObject({ user: "git", port: 22, path: "~me/app.git" });
  });

  it("fails AuthenticationFailed without secretRef, identity or known_hosts, never quoting the key", () => {
    const url = new URL("ssh://git@github.com/org/app.git");
    expect(failure(() => gitAuthFor(url, undefined))).toMatchObject({ reason: "AuthenticationFailed" });
    expect(failure(() => gitAuthFor(url, { known_hosts: pub }, "s")).message).toContain("'identity'");
    const noHosts = failure(() => gitAuthFor(url, { identity }, "s"));
    expect(noHosts).toMatchObject({ reason: "AuthenticationFailed" });
    expect(noHosts.message).toContain("'known_hosts' is required");
    const bad = failure(() => gitAuthFor(url, { identity: "junk-key-material", known_hosts: pub }, "s"));
    expect(bad.message).not.toContain("junk-key-material");
  });
});
