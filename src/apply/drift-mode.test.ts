import { describe, expect, it } from "vitest";
import { InvalidDriftModeError, objectDriftMode, parseDriftMode } from "./drift-mode.js";
import type { KubeObject } from "./types.js";

const obj = (drift?: string): KubeObject => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name: "a", ...(drift === undefined ? {} : { annotations: { "mooring.dev/drift": drift } }) },
});

describe("mooring.dev/drift (issue 20 item 2)", () => {
  it("accepts detect and correct in any case, nothing else", () => {
    expect(parseDriftMode(undefined, "x")).toBeUndefined();
    expect(parseDriftMode("Detect", "x")).toBe("detect");
    expect(parseDriftMode("correct", "x")).toBe("correct");
    expect(() => parseDriftMode("off", "ConfigMap/a")).toThrow(InvalidDriftModeError);
    expect(() => parseDriftMode("off", "ConfigMap/a")).toThrow(
      'ConfigMap/a has annotation mooring.dev/drift: "off"; use "detect"',
    );
  });

  it("takes the live object's, then the manifest's, then the Kustomization's mode", () => {
    expect(objectDriftMode(obj(), undefined, undefined, "s")).toBe("correct");
    expect(objectDriftMode(obj(), obj(), "detect", "s")).toBe("detect");
    expect(objectDriftMode(obj("correct"), obj(), "detect", "s")).toBe("correct");
    expect(objectDriftMode(obj("correct"), obj("detect"), undefined, "s")).toBe("detect");
    expect(() => objectDriftMode(obj(), obj("bogus"), undefined, "ConfigMap/a")).toThrow(
      'live ConfigMap/a has annotation mooring.dev/drift: "bogus"',
    );
  });
});
