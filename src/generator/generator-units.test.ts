/**
 * Issue 16: the pure parts of the ArtifactGenerator controller: source-watcher's observed-sources
 * digest, its revision and originRevision rules, its validation stalls, and the content hash that
 * names the stored file.
 */
import { mkdtemp, rm, writeFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Artifact, ArtifactGenerator } from "../api/index.js";
import { StallingError } from "../runtime/errors.js";
import { adler32, contentHash } from "./dirhash.js";
import { hashObservedSources, observe, withRevisions } from "./sources.js";
import { validateGenerator } from "./validate.js";

const artifact = (revision: string, metadata?: Record<string, string>): Artifact => ({
  path: "p",
  url: `http://h/${revision}`,
  revision,
  digest: `sha256:${"a".repeat(64)}`,
  lastUpdateTime: "2026-01-01T00:00:00Z",
  ...(metadata ? { metadata } : {}),
});
const ref = (alias: string, kind = "GitRepository") => ({ alias, kind, name: alias });

describe("observed sources and revisions", () => {
  it("the digest changes with any alias's revision and not with map order", () => {
    const a = new Map([
      ["repo", observe(ref("repo"), "ns", artifact("main@sha1:1"))],
      ["oci", observe(ref("oci"), "ns", artifact("v1@sha256:2"))],
    ]);
    const b = new Map([...a].reverse());
    expect(hashObservedSources(a)).toBe(hashObservedSources(b));
    expect(hashObservedSources(a)).toMatch(/^sha256:[0-9a-f]{64}$/);
    const c = new Map(a).set("repo", observe(ref("repo"), "ns", artifact("main@sha1:3")));
    expect(hashObservedSources(c)).not.toBe(hashObservedSources(a));
  });

  it("revision @alias takes the source's revision; originRevision records its origin revision, else its revision", () => {
    const sources = new Map([
      ["repo", observe(ref("repo"), "ns", artifact("main@sha1:abc"))],
      [
        "oci",
        observe(
          ref("oci"),
          "ns",
          artifact("v1@sha256:2", { "org.opencontainers.image.revision": "main@sha1:def" }),
        ),
      ],
    ]);
    const built = artifact("latest@sha256:xyz");
    expect(withRevisions(built, {}, sources)).toEqual(built);
    expect(withRevisions(built, { revision: "@repo" }, sources).revision).toBe("main@sha1:abc");
    const origin = withRevisions(built, { originRevision: "@repo" }, sources);
    expect(origin.revision).toBe("latest@sha256:xyz");
    expect(origin.metadata).toEqual({ "org.opencontainers.image.revision": "main@sha1:abc" });
    expect(withRevisions(built, { originRevision: "@oci" }, sources).metadata).toEqual({
      "org.opencontainers.image.revision": "main@sha1:def",
    });
  });
});

const generator = (spec: Partial<ArtifactGenerator["spec"]>): ArtifactGenerator => ({
  apiVersion: "source.extensions.fluxcd.io/v1beta1",
  kind: "ArtifactGenerator",
  metadata: { name: "g", namespace: "apps" },
  spec: {
    sources: [ref("repo")],
    artifacts: [{ name: "out", copy: [{ from: "@repo/**", to: "@artifact/" }] }],
    ...spec,
  },
});

function stallOf(ag: ArtifactGenerator, noCross = false): { reason: string; message: string } | undefined {
  try {
    validateGenerator(ag, noCross);
    return undefined;
  } catch (err) {
    if (!(err instanceof StallingError)) throw err;
    return { reason: err.reason, message: err.message };
  }
}

describe("validation stalls", () => {
  it("accepts a valid spec", () => {
    expect(stallOf(generator({}))).toBeUndefined();
  });

  it("stalls in source-watcher's words, and names what mooring does not implement", () => {
    const copy = [{ from: "@repo/**", to: "@artifact/" }];
    expect(stallOf(generator({ sources: [ref("repo"), ref("repo")] }))).toEqual({
      reason: "ValidationFailed",
      message: "duplicate source alias 'repo' found",
    });
    expect(
      stallOf(
        generator({
          artifacts: [
            { name: "a", copy },
            { name: "a", copy },
          ],
        }),
      )?.message,
    ).toBe("duplicate artifact name 'a' found");
    expect(stallOf(generator({ artifacts: [{ name: "a", revision: "@nope", copy }] }))?.message).toBe(
      "artifact a revision source alias 'nope' not found",
    );
    expect(stallOf(generator({ sources: [{ ...ref("repo"), namespace: "other" }] }), true)).toEqual({
      reason: "AccessDenied",
      message: "cross-namespace reference to source GitRepository/other/repo is not allowed",
    });
    expect(stallOf(generator({ sources: [ref("b", "Bucket")] }))).toMatchObject({
      reason: "UnsupportedField",
      message: expect.stringMatching(
        /^spec\.sources\[\]\.kind \(Bucket, alias 'b'\) is not supported by mooring: /,
      ),
    });
    expect(stallOf(generator({ sources: [ref("c", "HelmChart")] }))?.message).toMatch(
      /HelmChart sources are not implemented/,
    );
    expect(stallOf(generator({ artifacts: [{ name: "{app}", copy }] }))?.message).toMatch(
      /is not a valid Kubernetes object name/,
    );
    expect(
      stallOf(generator({ pathPattern: "@repo/apps/{app}", artifacts: [{ name: "{app}", copy }] })),
    ).toBeUndefined();
  });
});

describe("content hash", () => {
  it("is Adler-32 based, changes with content and not with write order", async () => {
    expect(adler32(Buffer.from("Wikipedia"))).toBe(0x11e60398);
    const dir = await mkdtemp(join(tmpdir(), "dirhash-"));
    try {
      await mkdir(join(dir, "a"));
      await writeFile(join(dir, "a", "x.yaml"), "x");
      await writeFile(join(dir, "b.yaml"), "b");
      const first = await contentHash(dir, "out");
      expect(first).toMatch(/^\d+$/);
      expect(await contentHash(dir, "out")).toBe(first);
      await writeFile(join(dir, "b.yaml"), "c");
      expect(await contentHash(dir, "out")).not.toBe(first);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
