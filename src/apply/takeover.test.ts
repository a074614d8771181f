import { describe, expect, it } from "vitest";
import type { ManagedFieldsEntry } from "../util/kube-object.js";
import { cleanupPatch, defaultCleanupOptions, mergeFieldsV1, takeOverManagedFields } from "./takeover.js";
import type { KubeObject } from "./types.js";

const opts = defaultCleanupOptions();
const f = (...paths: string[]) => Object.fromEntries(paths.map((p) => [p, {}]));
const entry = (
  manager: string,
  operation: string,
  fields: Record<string, unknown>,
  extra: Partial<ManagedFieldsEntry> = {},
): ManagedFieldsEntry => ({
  manager,
  operation,
  apiVersion: "v1",
  fieldsType: "FieldsV1",
  fieldsV1: fields,
  ...extra,
});

const live = (meta: Partial<KubeObject["metadata"]>): KubeObject => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name: "c", namespace: "n", uid: "u", resourceVersion: "1", ...meta },
});
const desired: KubeObject = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", namespace: "n" } };

describe("takeOverManagedFields", () => {
  it("renames the first kubectl entry when Flux has no Apply entry yet", () => {
    const out = takeOverManagedFields(
      [
        entry("kube-controller-manager", "Update", f("f:status")),
        entry("kubectl-client-side-apply", "Update", f("f:data")),
      ],
      opts.managers,
      "kustomize-controller",
    );
    expect(out).toEqual([
      entry("kube-controller-manager", "Update", f("f:status")),
      entry("kustomize-controller", "Apply", f("f:data")),
    ]);
  });

  it("merges every matching entry into Flux's Apply entry and moves it last", () => {
    const out = takeOverManagedFields(
      [
        entry("kustomize-controller", "Apply", { "f:data": f("f:a") }),
        entry("kubectl-edit", "Update", { "f:data": f("f:b") }),
        entry("helm", "Update", f("f:x")),
        entry("kubectl", "Apply", { "f:metadata": f("f:labels") }),
        entry("before-first-apply", "Update", { "f:data": f("f:a", "f:c") }),
        entry("kustomize-controller", "Update", f("f:old")),
      ],
      opts.managers,
      "kustomize-controller",
    );
    expect(out).toEqual([
      entry("helm", "Update", f("f:x")),
      entry("kustomize-controller", "Apply", {
        "f:data": f("f:a", "f:b", "f:c"),
        "f:metadata": f("f:labels"),
        "f:old": {},
      }),
    ]);
  });

  it("merges into Flux's entry even when it comes after the matched one (one entry, not two)", () => {
    const out = takeOverManagedFields(
      [entry("kubectl", "Apply", f("f:a")), entry("kustomize-controller", "Apply", f("f:b"))],
      opts.managers,
      "kustomize-controller",
    );
    expect(out).toEqual([entry("kustomize-controller", "Apply", { "f:b": {}, "f:a": {} })]);
  });

  it("leaves subresource entries (kubectl scale) and other managers alone", () => {
    const entries = [
      entry("kubectl", "Update", f("f:spec"), { subresource: "scale" }),
      entry("flux-client-side-apply", "Update", f("f:data")),
      entry("kustomize-controller", "Apply", f("f:data")),
    ];
    expect(takeOverManagedFields(entries, opts.managers, "kustomize-controller")).toBeUndefined();
  });

  it("honours exact matches and --override-manager names", () => {
    const withOverride = defaultCleanupOptions("kustomize-controller", ["argocd"]);
    const out = takeOverManagedFields(
      [entry("argocd-controller", "Apply", f("f:a"))],
      withOverride.managers,
      "kustomize-controller",
    );
    expect(out?.[0]?.manager).toBe("kustomize-controller");
    const exact = [{ name: "kubectl", operation: "Update" as const, exact: true }];
    expect(takeOverManagedFields([entry("kubectl-edit", "Update", f("f:a"))], exact, "kc")).toBeUndefined();
  });
});

describe("mergeFieldsV1", () => {
  it("unions nested tries", () => {
    expect(mergeFieldsV1({ "f:a": { "f:b": {} }, "f:c": {} }, { "f:a": { "f:d": {} } })).toEqual({
      "f:a": { "f:b": {}, "f:d": {} },
      "f:c": {},
    });
    expect(mergeFieldsV1(undefined, { x: {} })).toEqual({ x: {} });
  });
});

describe("cleanupPatch", () => {
  it("removes kubectl's annotation, deprecated Flux v1 metadata, and takes over managers", () => {
    const obj = live({
      annotations: {
        "kubectl.kubernetes.io/last-applied-configuration": "{}",
        "fluxcd.io/sync-checksum": "x",
        keep: "y",
      },
      labels: { "fluxcd.io/sync-gc-mark": "sha", app: "a" },
      managedFields: [entry("kubectl-client-side-apply", "Update", f("f:data"))],
    });
    expect(cleanupPatch(desired, obj, opts)).toEqual([
      { op: "remove", path: "/metadata/annotations/kubectl.kubernetes.io~1last-applied-configuration" },
      { op: "remove", path: "/metadata/annotations/fluxcd.io~1sync-checksum" },
      { op: "remove", path: "/metadata/labels/fluxcd.io~1sync-gc-mark" },
      {
        op: "replace",
        path: "/metadata/managedFields",
        value: [entry("kustomize-controller", "Apply", f("f:data"))],
      },
    ]);
  });

  it("sends nothing for a clean object, a missing one, or ssa: Merge on either side", () => {
    const dirty = live({ annotations: { "kubectl.kubernetes.io/last-applied-configuration": "{}" } });
    expect(
      cleanupPatch(
        desired,
        live({ managedFields: [entry("kustomize-controller", "Apply", f("f:data"))] }),
        opts,
      ),
    ).toEqual([]);
    expect(cleanupPatch(desired, undefined, opts)).toEqual([]);
    const merge = {
      ...desired,
      metadata: { ...desired.metadata, annotations: { "kustomize.toolkit.fluxcd.io/ssa": "merge" } },
    };
    expect(cleanupPatch(merge, dirty, opts)).toEqual([]);
    const liveMerge = live({
      labels: { "kustomize.toolkit.fluxcd.io/ssa": "Merge" },
      annotations: dirty.metadata.annotations,
    });
    expect(cleanupPatch(desired, liveMerge, opts)).toEqual([]);
  });
});
