import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { authenticate, checkSignature, type AuthInput } from "./authenticate.js";

const token = "s3cr3t-token";
const body = Buffer.from('{"ref":"refs/heads/main"}');
const sign = (alg: string, key = token, data: Buffer = body): string =>
  `${alg}=${createHmac(alg, key).update(data).digest("hex")}`;
const input = (over: Partial<AuthInput>): AuthInput => ({
  type: "generic",
  token,
  events: undefined,
  headers: {},
  body,
  ...over,
});

describe("checkSignature (go-github ValidateSignature)", () => {
  it.each(["sha1", "sha256", "sha512"])("accepts a correct %s HMAC", (alg) => {
    expect(checkSignature(sign(alg), body, token)).toBeUndefined();
  });

  it.each([
    [undefined, "missing signature"],
    ["", "missing signature"],
    ["md5=abcd", "signature must be"],
    ["abcdef", "signature must be"],
    [sign("sha256", "other-key"), "payload signature check failed"],
    [sign("sha256", token, Buffer.from("tampered")), "payload signature check failed"],
    ["sha256=zz", "payload signature check failed"],
  ])("refuses %s", (signature, message) => {
    expect(checkSignature(signature, body, token)).toContain(message);
  });
});

describe("authenticate", () => {
  it("generic accepts anything (the path is the secret)", () => {
    expect(authenticate(input({ type: "generic" }))).toEqual({ ok: true, event: undefined });
  });

  it("generic-hmac checks X-Signature", () => {
    expect(authenticate(input({ type: "generic-hmac", headers: { "x-signature": sign("sha256") } })).ok).toBe(
      true,
    );
    expect(authenticate(input({ type: "generic-hmac", headers: { "x-signature": sign("sha1") } })).ok).toBe(
      true,
    );
    const bad = authenticate(
      input({ type: "generic-hmac", headers: { "x-signature": sign("sha256", "x") } }),
    );
    expect(bad).toMatchObject({ ok: false, status: 401 });
    expect(authenticate(input({ type: "generic-hmac" }))).toMatchObject({ ok: false, status: 401 });
  });

  it("github prefers X-Hub-Signature-256 and falls back to X-Hub-Signature", () => {
    const ok256 = authenticate(
      input({ type: "github", headers: { "x-hub-signature-256": sign("sha256"), "x-github-event": "push" } }),
    );
    expect(ok256).toEqual({ ok: true, event: "push" });
    expect(authenticate(input({ type: "github", headers: { "x-hub-signature": sign("sha1") } })).ok).toBe(
      true,
    );
    // A wrong sha256 header is not rescued by a right sha1 one.
    const both = { "x-hub-signature-256": sign("sha256", "x"), "x-hub-signature": sign("sha1") };
    expect(authenticate(input({ type: "github", headers: both }))).toMatchObject({ ok: false, status: 401 });
  });

  it("github filters events case-insensitively", () => {
    const headers = (event: string): Record<string, string> => ({
      "x-hub-signature-256": sign("sha256"),
      "x-github-event": event,
    });
    expect(authenticate(input({ type: "github", events: ["push"], headers: headers("PUSH") })).ok).toBe(true);
    expect(authenticate(input({ type: "github", events: ["push"], headers: headers("ping") }))).toEqual({
      ok: false,
      status: 403,
      message: 'the GitHub event "ping" is not authorised',
    });
  });

  it("gitlab compares X-Gitlab-Token and filters events", () => {
    const headers = { "x-gitlab-token": token, "x-gitlab-event": "Push Hook" };
    expect(authenticate(input({ type: "gitlab", events: ["push hook"], headers }))).toEqual({
      ok: true,
      event: "Push Hook",
    });
    expect(authenticate(input({ type: "gitlab", events: ["Tag Push Hook"], headers }))).toMatchObject({
      ok: false,
      status: 403,
    });
    const wrong = authenticate(input({ type: "gitlab", headers: { "x-gitlab-token": "nope" } }));
    expect(wrong).toMatchObject({ ok: false, status: 401 });
    expect(authenticate(input({ type: "gitlab" }))).toMatchObject({ ok: false, status: 401 });
  });

  it("never puts the token into a message", () => {
    const results = [
      authenticate(input({ type: "gitlab", headers: { "x-gitlab-token": "nope" } })),
      authenticate(input({ type: "github", headers: { "x-hub-signature-256": sign("sha256", "x") } })),
      authenticate(input({ type: "generic-hmac", headers: { "x-signature": "sha256=00" } })),
    ];
    for (const r of results) expect(JSON.stringify(r)).not.toContain(token);
  });
});
