import { describe, expect, it } from "vitest";
import { GenericError } from "../runtime/errors.js";
import { proxyFor } from "./git-proxy.js";

const failure = (fn: () => unknown): GenericError => {
  try {
    fn();
  } catch (err) {
    return err as GenericError;
  }
  throw new Error("expected a failure");
};

describe("proxyFor (issue 15: GitRepository spec.proxySecretRef, Flux's keys)", () => {
  it("takes address, username and password", () => {
    expect(proxyFor({ address: "http://proxy:3128", username: "u", password: "p" }, "ns/px")).toEqual({
      proxy: { url: "http://proxy:3128/", username: "u", password: "p" },
      secrets: ["u", "p"],
    });
  });

  it("uses credentials in the address unless the Secret has a username, and strips them from the URL", () => {
    const fromUrl = proxyFor({ address: "https://a%40b:s3cret@proxy:443" }, "ns/px");
    expect(fromUrl.proxy).toEqual({ url: "https://proxy/", username: "a@b", password: "s3cret" });
    const fromKeys = proxyFor({ address: "http://x:y@proxy:3128", username: "u", password: "p" }, "ns/px");
    expect(fromKeys.proxy).toEqual({ url: "http://proxy:3128/", username: "u", password: "p" });
    expect(proxyFor({ address: "socks5://proxy:1080" }, "ns/px").proxy.url).toBe("socks5://proxy:1080");
  });

  it("fails with Flux's AuthenticationFailed messages", () => {
    const missing = failure(() => proxyFor(undefined, "ns/px"));
    expect(missing.reason).toBe("AuthenticationFailed");
    expect(missing.message).toBe(
      `failed to configure proxy options: failed to get proxy secret 'ns/px': secrets "px" not found`,
    );
    expect(failure(() => proxyFor({ username: "u" }, "ns/px")).message).toBe(
      "failed to configure proxy options: invalid proxy secret 'ns/px': key 'address' is missing",
    );
    expect(failure(() => proxyFor({ address: "ftp://proxy" }, "ns/px")).message).toContain(
      "scheme 'ftp' is not supported, use http, https or socks5",
    );
    const bad = failure(() => proxyFor({ address: "not a url s3cret" }, "ns/px"));
    expect(bad.message).toContain("'address' is not a URL");
    expect(bad.message).not.toContain("s3cret");
  });
});
