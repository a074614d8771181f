import { describe, expect, it } from "vitest";
import { formatRevision, normalizeRevision, revisionsEqual } from "./revision.js";

const H = "a".repeat(40);

describe("revision strings", () => {
  it("formats branch, full-ref and commit-only revisions", () => {
    expect(formatRevision("main", H)).toBe(`main@sha1:${H}`);
    expect(formatRevision("feature/x", H)).toBe(`feature/x@sha1:${H}`);
    expect(formatRevision("refs/pull/1/head", H)).toBe(`refs/pull/1/head@sha1:${H}`);
    expect(formatRevision(undefined, H)).toBe(`sha1:${H}`);
    expect(formatRevision("main", "abc")).toBe("main@<unknown>:abc");
  });

  it("understands the legacy <ref>/<sha> form when comparing", () => {
    expect(normalizeRevision(`main/${H}`)).toBe(`main@sha1:${H}`);
    expect(normalizeRevision(`feature/x/${H}`)).toBe(`feature/x@sha1:${H}`);
    expect(normalizeRevision(H)).toBe(`sha1:${H}`);
    expect(revisionsEqual(`main/${H}`, `main@sha1:${H}`)).toBe(true);
    expect(revisionsEqual(`main@sha1:${H}`, `dev@sha1:${H}`)).toBe(false);
    expect(revisionsEqual(undefined, `main@sha1:${H}`)).toBe(false);
  });
});
