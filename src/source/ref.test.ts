import { describe, expect, it } from "vitest";
import { parseTagVersion, refStrategy, remoteRefFor, revisionRefName, selectSemverTag } from "./ref.js";

describe("ref precedence", () => {
  it("follows commit > name > tag > semver > branch > master", () => {
    const all = { commit: "c", name: "refs/x", tag: "t", semver: "1.x", branch: "b" };
    expect(refStrategy(all)).toEqual({ kind: "commit", commit: "c", branch: "b" });
    expect(refStrategy({ ...all, commit: undefined })).toEqual({ kind: "name", name: "refs/x" });
    expect(refStrategy({ tag: "t", semver: "1.x", branch: "b" })).toEqual({ kind: "tag", tag: "t" });
    expect(refStrategy({ semver: "1.x", branch: "b" })).toEqual({ kind: "semver", range: "1.x" });
    expect(refStrategy({ branch: "b" })).toEqual({ kind: "branch", branch: "b" });
    expect(refStrategy({})).toEqual({ kind: "branch", branch: "master" });
    expect(refStrategy(undefined)).toEqual({ kind: "branch", branch: "master" });
    expect(refStrategy({ commit: "c" })).toEqual({ kind: "commit", commit: "c" });
  });

  it("maps strategies to remote refs and revision names", () => {
    expect(remoteRefFor(refStrategy({ branch: "main" }))).toBe("refs/heads/main");
    expect(remoteRefFor(refStrategy({ tag: "v1" }))).toBe("refs/tags/v1");
    expect(remoteRefFor(refStrategy({ name: "refs/pull/1/head" }))).toBe("refs/pull/1/head");
    expect(remoteRefFor(refStrategy({ semver: "*" }))).toBeUndefined();
    expect(revisionRefName(refStrategy({ semver: "*" }), "v2.0.0")).toBe("v2.0.0");
    expect(revisionRefName(refStrategy({ commit: "c" }))).toBeUndefined();
    expect(revisionRefName(refStrategy({ commit: "c", branch: "main" }))).toBe("main");
  });
});

describe("semver selection", () => {
  const tags = ["v1.0.0", "1.2.0", "v1.10.0", "v2.0.0-rc.1", "v2.0.0", "latest", "v3"].map((tag) => ({
    tag,
  }));

  it("parses tags leniently", () => {
    expect(parseTagVersion("v1.2.3")?.version).toBe("1.2.3");
    expect(parseTagVersion("v3")?.version).toBe("3.0.0");
    expect(parseTagVersion("1.2")?.version).toBe("1.2.0");
    expect(parseTagVersion("latest")).toBeNull();
  });

  it("picks the highest match, with Masterminds comma ranges", () => {
    expect(selectSemverTag("1.x", tags)).toBe("v1.10.0");
    expect(selectSemverTag(">=1.0.0, <2.0.0", tags)).toBe("v1.10.0");
    expect(selectSemverTag("~1.2", tags)).toBe("1.2.0");
    expect(selectSemverTag("*", tags)).toBe("v3");
    expect(selectSemverTag("<3.0.0", tags)).toBe("v2.0.0");
  });

  it("breaks ties on build metadata by commit time", () => {
    const t = [
      { tag: "1.0.0+a", commitTime: 2 },
      { tag: "1.0.0+b", commitTime: 5 },
      { tag: "1.0.0+c", commitTime: 1 },
    ];
    expect(selectSemverTag("1.0.0", t)).toBe("1.0.0+b");
  });

  it("reports no match and bad ranges as Flux words them", () => {
    expect(() => selectSemverTag(">=5.0.0", tags)).toThrow("no match found for semver: >=5.0.0");
    expect(() => selectSemverTag("not a range ~~", tags)).toThrow(/semver parse error/);
  });
});
