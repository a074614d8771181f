import { describe, expect, it } from "vitest";
import type { Artifact, GitRepository } from "../api/index.js";
import {
  contentConfigChanged,
  includesChanged,
  requiresVerification,
  withoutStatus,
  withStatus,
} from "./gitrepository-state.js";

const art = (revision: string, digest = "sha256:aa"): Artifact => ({
  path: "p",
  url: "u",
  revision,
  digest,
  lastUpdateTime: "t",
});

function repo(spec: Partial<GitRepository["spec"]>, status: GitRepository["status"] = {}): GitRepository {
  return {
    apiVersion: "source.toolkit.fluxcd.io/v1",
    kind: "GitRepository",
    metadata: { name: "r", namespace: "ns", generation: 1 },
    spec: { url: "https://h/r.git", interval: "1m", ...spec },
    status,
  };
}

describe("content configuration changes (Flux gitContentConfigChanged)", () => {
  it("is unchanged when the spec matches what the artifact was built with", () => {
    expect(contentConfigChanged(repo({}), [])).toBe(false);
    expect(contentConfigChanged(repo({ ignore: "*.md" }, { observedIgnore: "*.md" }), [])).toBe(false);
    expect(contentConfigChanged(repo({ sparseCheckout: [] }), [])).toBe(false);
  });

  it("changes with ignore, submodules, sparse checkout and include specs", () => {
    expect(contentConfigChanged(repo({ ignore: "*.md" }), [])).toBe(true);
    expect(contentConfigChanged(repo({}, { observedIgnore: "*.md" }), [])).toBe(true);
    expect(
      contentConfigChanged(repo({ recurseSubmodules: true }, { observedRecurseSubmodules: false }), []),
    ).toBe(true);
    expect(contentConfigChanged(repo({ sparseCheckout: ["apps"] }), [])).toBe(true);
    const include = [{ repository: { name: "lib" } }];
    expect(contentConfigChanged(repo({ include }), [])).toBe(true);
  });

  it("changes while spec.verify has not been verified in a mode that covers it (issue 15)", () => {
    const verify = (mode: "HEAD" | "Tag" | "TagAndHEAD" | "head") => ({ mode, secretRef: { name: "keys" } });
    expect(requiresVerification(repo({}))).toBe(false);
    expect(requiresVerification(repo({ verify: verify("HEAD") }))).toBe(true);
    expect(contentConfigChanged(repo({ verify: verify("HEAD") }), [])).toBe(true);
    expect(requiresVerification(repo({ verify: verify("head") }, { sourceVerificationMode: "HEAD" }))).toBe(
      false,
    );
    expect(
      requiresVerification(repo({ verify: verify("TagAndHEAD") }, { sourceVerificationMode: "TagAndHEAD" })),
    ).toBe(false);
    expect(
      requiresVerification(repo({ verify: verify("Tag") }, { sourceVerificationMode: "TagAndHEAD" })),
    ).toBe(false);
    expect(
      requiresVerification(repo({ verify: verify("TagAndHEAD") }, { sourceVerificationMode: "HEAD" })),
    ).toBe(true);
    expect(requiresVerification(repo({ verify: verify("HEAD") }, { sourceVerificationMode: "Tag" }))).toBe(
      true,
    );
  });

  it("changes when an included artifact moved on", () => {
    const include = [{ repository: { name: "lib" } }];
    const built = repo({ include }, { observedInclude: include, includedArtifacts: [art("main@sha1:1")] });
    expect(includesChanged(built, [{ include: include[0]!, artifact: art("main@sha1:1") }])).toBe(false);
    expect(contentConfigChanged(built, [{ include: include[0]!, artifact: art("main@sha1:1") }])).toBe(false);
    expect(contentConfigChanged(built, [{ include: include[0]!, artifact: art("main@sha1:2") }])).toBe(true);
  });
});

describe("status helpers", () => {
  it("merges and removes status fields", () => {
    const r = withStatus(repo({}), { observedIgnore: "x", artifact: art("a") });
    expect(withoutStatus(r, "artifact").status).toEqual({ observedIgnore: "x" });
  });
});
