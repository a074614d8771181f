import { describe, expect, it } from "vitest";
import { foldKeys, IMAGE_SHAPE, PATCH_SHAPE, REPLACEMENT_SHAPE, REPLICA_SHAPE } from "./fold-keys.js";

// kubectl kustomize v5.5.0 accepts all of these spellings (checked on a live tree): Go's JSON
// decoding matches field names case-insensitively.
describe("foldKeys", () => {
  it("canonicalises nested replacement fields", () => {
    const raw = {
      Source: { kind: "ConfigMap", name: "c", fieldpath: "data.v" },
      targets: [{ Select: { kind: "Deployment" }, fieldpaths: ["metadata.annotations.v"], Options: { CREATE: true } }],
    };
    expect(foldKeys(raw, REPLACEMENT_SHAPE)).toEqual({
      source: { kind: "ConfigMap", name: "c", fieldPath: "data.v" },
      targets: [{ select: { kind: "Deployment" }, fieldPaths: ["metadata.annotations.v"], options: { create: true } }],
    });
  });

  it("canonicalises images, replicas and patches entries and keeps unknown fields", () => {
    expect(foldKeys({ name: "nginx", newtag: "2", extra: 1 }, IMAGE_SHAPE)).toEqual({ name: "nginx", newTag: "2", extra: 1 });
    expect(foldKeys({ NAME: "web", Count: 4 }, REPLICA_SHAPE)).toEqual({ name: "web", count: 4 });
    expect(foldKeys({ Target: { KIND: "Deployment" }, Patch: "x" }, PATCH_SHAPE)).toEqual({
      target: { kind: "Deployment" },
      patch: "x",
    });
  });
});
