import { describe, expect, it } from "vitest";
import type { KubeObject } from "../types.js";
import {
  canonicalJson,
  contentFingerprint,
  lastManager,
  ownedFieldsHash,
  renderedHash,
} from "./fingerprint.js";

const cm = (
  over: Partial<KubeObject["metadata"]> = {},
  data: Record<string, string> = { a: "1" },
): KubeObject => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: {
    name: "c",
    namespace: "n",
    uid: "u1",
    resourceVersion: "10",
    managedFields: [
      {
        manager: "kustomize-controller",
        operation: "Apply",
        time: "2026-01-01T00:00:00Z",
        fieldsV1: { "f:data": { "f:a": {} } },
      },
    ],
    ...over,
  },
  data,
});

describe("canonicalJson", () => {
  it("ignores key order and undefined values", () => {
    expect(canonicalJson({ b: 1, a: [{ y: 2, x: undefined, z: null }] })).toBe(
      '{"a":[{"y":2,"z":null}],"b":1}',
    );
    expect(canonicalJson({ a: 1, b: 2 })).toBe(canonicalJson({ b: 2, a: 1 }));
  });
});

describe("renderedHash", () => {
  it("changes with the object and with the apply context", () => {
    const base = renderedHash(cm(), { fm: "kc" });
    expect(renderedHash(cm(), { fm: "kc" })).toBe(base);
    expect(renderedHash(cm({}, { a: "2" }), { fm: "kc" })).not.toBe(base);
    expect(renderedHash(cm(), { fm: "kc", as: "system:serviceaccount:a:b" })).not.toBe(base);
  });
});

describe("contentFingerprint", () => {
  it("ignores resourceVersion, generation, status, managedFields times and status-subresource entries", () => {
    const base = contentFingerprint(cm());
    const statusOnly: KubeObject = {
      ...cm({
        resourceVersion: "11",
        generation: 3,
        managedFields: [
          {
            manager: "kustomize-controller",
            operation: "Apply",
            time: "2026-02-02T00:00:00Z",
            fieldsV1: { "f:data": { "f:a": {} } },
          },
          { manager: "kcm", operation: "Update", subresource: "status", fieldsV1: { "f:status": {} } },
        ],
      }),
      status: { ready: true },
    };
    expect(contentFingerprint(statusOnly)).toBe(base);
  });

  it("changes with data, labels and a new field manager", () => {
    const base = contentFingerprint(cm());
    expect(contentFingerprint(cm({}, { a: "2" }))).not.toBe(base);
    expect(contentFingerprint(cm({ labels: { x: "y" } }))).not.toBe(base);
    const kubectl = cm({
      managedFields: [
        ...(cm().metadata.managedFields ?? []),
        { manager: "kubectl-edit", operation: "Update", fieldsV1: { "f:data": {} } },
      ],
    });
    expect(contentFingerprint(kubectl)).not.toBe(base);
  });
});

describe("ownedFieldsHash", () => {
  it("changes when a field moves away from our manager, and is empty without an Apply entry", () => {
    const ours = ownedFieldsHash(cm(), "kustomize-controller");
    expect(ours).not.toBe("");
    const taken = cm({
      managedFields: [
        { manager: "kustomize-controller", operation: "Apply", fieldsV1: { "f:data": {} } },
        { manager: "kubectl-edit", operation: "Update", fieldsV1: { "f:data": { "f:a": {} } } },
      ],
    });
    expect(ownedFieldsHash(taken, "kustomize-controller")).not.toBe(ours);
    expect(ownedFieldsHash(cm({ managedFields: [] }), "kustomize-controller")).toBe("");
  });
});

describe("lastManager", () => {
  it("names the manager of the newest entry, ignoring subresources", () => {
    const obj = cm({
      managedFields: [
        { manager: "kustomize-controller", operation: "Apply", time: "2026-01-01T00:00:00Z" },
        { manager: "kubectl-edit", operation: "Update", time: "2026-01-02T00:00:00Z" },
        { manager: "kcm", operation: "Update", subresource: "status", time: "2026-01-03T00:00:00Z" },
      ],
    });
    expect(lastManager(obj)).toBe("kubectl-edit");
  });
});
