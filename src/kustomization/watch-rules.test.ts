import { describe, expect, it } from "vitest";
import type { Kustomization } from "../api/index.js";
import { DriftLimiter } from "./drift-limiter.js";
import type { SourceObject } from "./ports.js";
import {
  alreadyAttempted,
  kustomizationChanged,
  referencedSource,
  sourceArtifactMoved,
  sourceRevisionChanged,
} from "./watch-rules.js";

const ks = (
  over: {
    generation?: number;
    requestedAt?: string;
    source?: string;
    ns?: string;
    annotations?: Record<string, string>;
  } = {},
): Kustomization => ({
  apiVersion: "kustomize.toolkit.fluxcd.io/v1",
  kind: "Kustomization",
  metadata: {
    name: "app",
    namespace: "flux",
    generation: over.generation ?? 1,
    annotations: {
      ...over.annotations,
      ...(over.requestedAt ? { "reconcile.fluxcd.io/requestedAt": over.requestedAt } : {}),
    },
  },
  spec: {
    interval: "1h",
    prune: true,
    sourceRef: {
      kind: "GitRepository",
      name: over.source ?? "repo",
      ...(over.ns ? { namespace: over.ns } : {}),
    },
  },
});

const src = (revision?: string): SourceObject => ({
  apiVersion: "source.toolkit.fluxcd.io/v1",
  kind: "GitRepository",
  metadata: { name: "repo", namespace: "flux" },
  status: revision ? { artifact: { revision, url: "", path: "", digest: "", lastUpdateTime: "" } } : {},
});

describe("kustomizationChanged", () => {
  it.each([
    ["created", undefined, ks(), true],
    ["status-only update", ks(), ks(), false],
    ["generation bump", ks(), ks({ generation: 2 }), true],
    ["new requestedAt", ks({ requestedAt: "a" }), ks({ requestedAt: "b" }), true],
    ["same requestedAt", ks({ requestedAt: "a" }), ks({ requestedAt: "a" }), false],
    ["mooring annotation added", ks(), ks({ annotations: { "mooring.dev/allow-empty": "true" } }), true],
    [
      "mooring annotation changed",
      ks({ annotations: { "mooring.dev/prune-budget": "10%" } }),
      ks({ annotations: { "mooring.dev/prune-budget": "20%" } }),
      true,
    ],
    ["mooring annotation removed", ks({ annotations: { "mooring.dev/allow-empty": "true" } }), ks(), true],
    ["other annotation changed", ks(), ks({ annotations: { "example.com/note": "x" } }), false],
  ])("%s", (_what, old, next, want) => {
    expect(kustomizationChanged(old, next)).toBe(want);
  });

  it("reconciles when mooring.dev/drift changes (issue 20: back to correct corrects at once)", () => {
    const drift = (value: string | undefined): Kustomization => {
      const obj = ks();
      if (value !== undefined) obj.metadata.annotations = { "mooring.dev/drift": value };
      return obj;
    };
    expect(kustomizationChanged(drift("detect"), drift(undefined))).toBe(true);
    expect(kustomizationChanged(drift(undefined), drift("detect"))).toBe(true);
    expect(kustomizationChanged(drift("detect"), drift("detect"))).toBe(false);
  });
});

describe("sourceRevisionChanged", () => {
  it.each([
    ["artifact appears", src(), src("main@sha1:1"), true],
    ["revision moves", src("main@sha1:1"), src("main@sha1:2"), true],
    ["same revision", src("main@sha1:1"), src("main@sha1:1"), false],
    ["no artifact", undefined, src(), false],
  ])("%s", (_what, old, next, want) => {
    expect(sourceRevisionChanged(old, next)).toBe(want);
  });
});

describe("referencedSource", () => {
  it("indexes by sourceRef with the namespace defaulted to the Kustomization's", () => {
    expect(referencedSource(ks())).toEqual(["GitRepository/flux/repo"]);
    expect(referencedSource(ks({ source: "other", ns: "shared" }))).toEqual(["GitRepository/shared/other"]);
  });
});

describe("alreadyAttempted", () => {
  it("skips a Kustomization that attempted the revision and is not failing", () => {
    const k = ks();
    k.status = { lastAttemptedRevision: "r1", conditions: [] };
    expect(alreadyAttempted(k, "r1")).toBe(true);
    expect(alreadyAttempted(k, "r2")).toBe(false);
  });
});

describe("DriftLimiter (issue 6 item 9)", () => {
  const event = {
    owner: { name: "app", namespace: "flux" },
    object: { group: "apps", version: "v1", kind: "Deployment", namespace: "apps", name: "web" },
    kind: "modified" as const,
    manager: "other-controller",
  };

  it("lets a burst through, then holds back with one announcement and a note", () => {
    const lim = new DriftLimiter({ burst: 2, refillMs: 10_000 });
    expect(lim.admit("flux/app", event, 0).requeue).toBe(true);
    expect(lim.admit("flux/app", event, 100).requeue).toBe(true);
    const held = lim.admit("flux/app", event, 200);
    expect(held.requeue).toBe(false);
    expect(held.retryAfterMs).toBe(9_800);
    expect(held.announce).toMatch(/^Deployment\/apps\/web keeps being changed by 'other-controller'/);
    expect(lim.admit("flux/app", event, 300).announce).toBeUndefined();
    expect(lim.note("flux/app")).toMatch(/another controller may be managing the same object/);
    expect(lim.note("flux/other")).toBeUndefined();
  });

  it("refills over time and ends the episode when the bucket is full again", () => {
    const lim = new DriftLimiter({ burst: 1, refillMs: 1_000 });
    lim.admit("k", event, 0);
    expect(lim.admit("k", event, 10).requeue).toBe(false);
    expect(lim.admit("k", event, 1_010).requeue).toBe(true);
    expect(lim.admit("k", event, 5_000).requeue).toBe(true);
    expect(lim.note("k")).toBeUndefined();
  });
});

describe("sourceArtifactMoved (issue 14)", () => {
  const src = (url: string, digest: string, revision = "main@sha1:1") =>
    ({ kind: "GitRepository", metadata: {}, status: { artifact: { url, digest, revision } } }) as never;
  it("is true for the same revision served at another URL or digest, false otherwise", () => {
    expect(sourceArtifactMoved(src("http://a/x", "d1"), src("http://b/x", "d1"))).toBe(true);
    expect(sourceArtifactMoved(src("http://a/x", "d1"), src("http://a/x", "d2"))).toBe(true);
    expect(sourceArtifactMoved(src("http://a/x", "d1"), src("http://a/x", "d1"))).toBe(false);
    expect(sourceArtifactMoved(src("http://a/x", "d1"), src("http://b/x", "d2", "main@sha1:2"))).toBe(false);
    expect(sourceArtifactMoved(undefined, src("http://b/x", "d1"))).toBe(false);
  });
});
