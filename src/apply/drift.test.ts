import { describe, expect, it } from "vitest";
import { driftAction, escapePointer, hasDrifted, removeAtPointer } from "./drift.js";
import { jsonEqual, stringMapEqual } from "./semantic-equal.js";
import type { KubeObject } from "./types.js";

const deploy = (
  over: {
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    replicas?: number;
    rv?: string;
    status?: unknown;
    extra?: Record<string, unknown>;
  } = {},
): KubeObject => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: {
    name: "web",
    namespace: "apps",
    ...(over.rv !== undefined && { resourceVersion: over.rv }),
    ...(over.labels && { labels: over.labels }),
    ...(over.annotations && { annotations: over.annotations }),
    managedFields: [{ manager: "x" }],
    generation: 3,
  },
  spec: { replicas: over.replicas ?? 1, template: { spec: { containers: [{ name: "a", image: "nginx" }] } } },
  ...(over.status !== undefined && { status: over.status }),
  ...over.extra,
});

describe("hasDrifted", () => {
  const live = deploy({ rv: "10", labels: { app: "web" }, status: { readyReplicas: 1 } });

  it.each<[string, KubeObject | undefined, KubeObject, boolean]>([
    [
      "identical (metadata noise and status ignored)",
      live,
      {
        ...deploy({ rv: "10", labels: { app: "web" } }),
        metadata: { ...live.metadata, generation: 9, managedFields: [] },
      },
      false,
    ],
    ["dry-run without resourceVersion means create", live, deploy({ labels: { app: "web" } }), true],
    ["no live object", undefined, deploy({ rv: "1" }), true],
    ["label value changed", live, deploy({ rv: "10", labels: { app: "api" } }), true],
    ["label added", live, deploy({ rv: "10", labels: { app: "web", tier: "x" } }), true],
    ["annotation added", live, deploy({ rv: "10", labels: { app: "web" }, annotations: { a: "b" } }), true],
    ["spec changed", live, deploy({ rv: "10", labels: { app: "web" }, replicas: 3 }), true],
    ["top-level field added", live, deploy({ rv: "10", labels: { app: "web" }, extra: { data: {} } }), true],
    [
      "status differs only",
      live,
      deploy({ rv: "10", labels: { app: "web" }, status: { readyReplicas: 0 } }),
      false,
    ],
  ])("%s → %s", (_name, liveObj, dryRun, want) => {
    expect(hasDrifted(liveObj, dryRun)).toBe(want);
  });

  it("treats absent and empty label/annotation maps as equal", () => {
    const a = deploy({ rv: "1" });
    const b = deploy({ rv: "1", labels: {}, annotations: {} });
    expect(hasDrifted(a, b)).toBe(false);
    expect(hasDrifted(b, a)).toBe(false);
  });

  it("ignores key order", () => {
    const a: KubeObject = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "c", resourceVersion: "1" },
      data: { x: "1", y: "2" },
    };
    const b: KubeObject = {
      kind: "ConfigMap",
      apiVersion: "v1",
      data: { y: "2", x: "1" },
      metadata: { resourceVersion: "1", name: "c" },
    };
    expect(hasDrifted(a, b)).toBe(false);
  });

  it("leaves out ignored JSON pointer paths on both sides", () => {
    const scaled = deploy({ rv: "10", labels: { app: "web" }, replicas: 5 });
    expect(hasDrifted(live, scaled, ["/spec/replicas"])).toBe(false);
    expect(hasDrifted(live, scaled, ["/spec/template"])).toBe(true);
  });

  it("ignores the duplicated and empty HPA metrics a dry-run can return", () => {
    const metric = {
      type: "Resource",
      resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 80 } },
    };
    const hpa = (metrics: unknown[]): KubeObject => ({
      apiVersion: "autoscaling/v2",
      kind: "HorizontalPodAutoscaler",
      metadata: { name: "h", namespace: "n", resourceVersion: "1" },
      spec: { maxReplicas: 3, metrics },
    });
    expect(hasDrifted(hpa([metric]), hpa([metric, metric, {}]))).toBe(false);
    expect(hasDrifted(hpa([metric]), hpa([]))).toBe(true);
  });
});

describe("driftAction", () => {
  const live = deploy({ rv: "10" });
  it.each<[string, KubeObject | undefined, KubeObject, boolean, string]>([
    ["unchanged", live, deploy({ rv: "10" }), false, "unchanged"],
    ["cleanup patch forces an apply", live, deploy({ rv: "11" }), true, "configured"],
    ["drifted", live, deploy({ rv: "10", replicas: 2 }), false, "configured"],
    ["new", undefined, deploy(), false, "created"],
  ])("%s → %s", (...[, liveObj, dryRun, patched, want]) => {
    expect(driftAction(liveObj, dryRun, patched)).toBe(want);
  });
});

describe("JSON pointers", () => {
  it("escapes ~ and /", () => {
    expect(escapePointer("kubectl.kubernetes.io/last-applied~x")).toBe(
      "kubectl.kubernetes.io~1last-applied~0x",
    );
  });

  it("removes object keys and array items; missing paths are ignored", () => {
    const doc = { a: { "b/c": 1, d: [1, 2, 3] }, e: 2 };
    removeAtPointer(doc, "/a/b~1c");
    removeAtPointer(doc, "/a/d/1");
    removeAtPointer(doc, "/x/y");
    removeAtPointer(doc, "no-slash");
    expect(doc).toEqual({ a: { d: [1, 3] }, e: 2 });
  });
});

describe("semantic equality helpers", () => {
  it.each<[unknown, unknown, boolean]>([
    [{ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] }, true],
    [{ a: 1 }, { a: 1, b: undefined }, false],
    [[1, 2], [2, 1], false],
    [null, {}, false],
    [1, "1", false],
  ])("jsonEqual(%j, %j) = %s", (a, b, want) => {
    expect(jsonEqual(a, b)).toBe(want);
  });

  it("stringMapEqual treats undefined, null and {} alike", () => {
    expect(stringMapEqual(undefined, {})).toBe(true);
    expect(stringMapEqual(null, undefined)).toBe(true);
    expect(stringMapEqual({ a: "1" }, {})).toBe(false);
  });
});
