import { describe, expect, it } from "vitest";
import { REDACTED, sanitizeMessage, stripUrlCredentials } from "./sanitize.js";

describe("sanitizeMessage", () => {
  it.each([
    ["clone https://user:pass@github.com/org/repo failed", "clone https://github.com/org/repo failed"],
    ["ssh://git@host:22/repo.git", "ssh://host:22/repo.git"],
    ["token only http://abc123@host/x", "token only http://host/x"],
    ["two: https://a:b@h1/x and http://c:d@h2/y", "two: https://h1/x and http://h2/y"],
    ["no url here user@example.com", "no url here user@example.com"],
    ["https://host/path@v1", "https://host/path@v1"],
  ])("strips URL credentials from %j", (input, expected) => {
    expect(sanitizeMessage(input)).toBe(expected);
  });

  it("replaces known secret values, raw and URL-encoded", () => {
    const secret = "s3cr3t/+=";
    const msg = `auth failed with ${secret} (${encodeURIComponent(secret)})`;
    expect(sanitizeMessage(msg, [secret])).toBe(`auth failed with ${REDACTED} (${REDACTED})`);
  });

  it("ignores very short secret values", () => {
    expect(sanitizeMessage("a b c", ["a"])).toBe("a b c");
  });
});

describe("stripUrlCredentials", () => {
  it("removes user and password from a URL", () => {
    expect(stripUrlCredentials("https://u:p@example.com/repo.git")).toBe("https://example.com/repo.git");
  });
  it("leaves URLs without credentials untouched", () => {
    expect(stripUrlCredentials("https://example.com/repo.git")).toBe("https://example.com/repo.git");
  });
});
