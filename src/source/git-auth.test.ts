import { describe, expect, it } from "vitest";
import { findReconcileError } from "../runtime/errors.js";
import { gitAuthFor, parseRepositoryUrl } from "./git-auth.js";

const reasonOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return {
      reason: findReconcileError(err)?.reason,
      kind: findReconcileError(err)?.kind,
      message: (err as Error).message,
    };
  }
  return undefined;
};

describe("repository URLs", () => {
  it("accepts ssh:// URLs (issue 21) and names both supported schemes for others", () => {
    expect(parseRepositoryUrl("ssh://git@github.com/org/repo.git").hostname).toBe("github.com");
    expect(reasonOf(() => parseRepositoryUrl("ftp://h/x"))?.message).toContain("use https or ssh");
  });

  it("stalls on unparseable URLs and unknown schemes", () => {
    expect(reasonOf(() => parseRepositoryUrl("http//nope"))).toMatchObject({
      reason: "URLInvalid",
      kind: "stalling",
    });
    expect(reasonOf(() => parseRepositoryUrl("ftp://h/x"))).toMatchObject({ reason: "URLInvalid" });
  });
});

describe("secret data", () => {
  const url = parseRepositoryUrl("https://host/repo.git");

  it("builds basic and bearer headers", () => {
    expect(gitAuthFor(url, { username: "u", password: "p4ss" }).headers).toEqual({
      Authorization: `Basic ${Buffer.from("u:p4ss").toString("base64")}`,
    });
    expect(gitAuthFor(url, { bearerToken: "tok" }).headers).toEqual({ Authorization: "Bearer tok" });
    expect(gitAuthFor(url, undefined).headers).toEqual({});
  });

  it("uses URL credentials when the secret has none, and strips them from the URL", () => {
    const a = gitAuthFor(parseRepositoryUrl("https://u:s3cr3t@host/repo.git"), { "ca.crt": "PEM" });
    expect(a.url).toBe("https://host/repo.git");
    expect(a.headers.Authorization).toMatch(/^Basic /);
    expect(a.ca).toBe("PEM");
    expect(a.secrets).toContain("s3cr3t");
  });

  it("rejects a password without username and basic plus bearer, without echoing them", () => {
    const noUser = reasonOf(() => gitAuthFor(url, { password: "p4ssword" }, "creds"));
    expect(noUser).toMatchObject({ reason: "AuthenticationFailed", kind: "generic" });
    expect(noUser?.message).toContain("secret 'creds'");
    expect(noUser?.message).not.toContain("p4ssword");
    const both = reasonOf(() =>
      gitAuthFor(url, { username: "u", password: "p4ssword", bearerToken: "t0ken" }, "creds"),
    );
    expect(both).toMatchObject({ reason: "AuthenticationFailed" });
  });
});
