import { describe, expect, it } from "vitest";
import { objectChanges } from "./field-changes.js";
import { attributeDrift } from "./field-owners.js";
import type { KubeObject, ManagedFieldsEntry } from "./types.js";

const OURS = "kustomize-controller";

const entry = (manager: string, operation: string, time: string, fieldsV1: Record<string, unknown>) =>
  ({ manager, operation, time, fieldsType: "FieldsV1", fieldsV1 }) satisfies ManagedFieldsEntry;

const deployment = (image: string, replicas: number, managedFields: ManagedFieldsEntry[]): KubeObject => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "web", namespace: "apps", managedFields },
  spec: { replicas, template: { spec: { containers: [{ name: "c", image }] } } },
});

const container = (fields: Record<string, unknown>) => ({
  "f:spec": { "f:template": { "f:spec": { "f:containers": { 'k:{"name":"c"}': fields } } } },
});

describe("attributeDrift (issue 20 item 2)", () => {
  it("names the manager that took a field over, down to a list item", () => {
    const live = deployment("evil:2", 1, [
      entry(OURS, "Apply", "2026-01-01T00:00:00Z", container({ "f:name": {} })),
      entry("kubectl-edit", "Update", "2026-01-01T00:01:00Z", container({ "f:image": {} })),
    ]);
    const desired = deployment("good:1", 1, []);
    const result = attributeDrift(live, objectChanges(live, desired), OURS);
    expect(result.owned.map((c) => c.path)).toEqual(["spec.template.spec.containers[0].image"]);
    expect(result.managers).toEqual(["kubectl-edit"]);
  });

  it("keeps fields only we own out of the attribution (a new revision is not drift)", () => {
    const live = deployment("good:1", 3, [
      entry(OURS, "Apply", "2026-01-01T00:00:00Z", { "f:spec": { "f:replicas": {} } }),
      entry("kubectl-scale", "Update", "2026-01-01T00:01:00Z", container({ "f:image": {} })),
    ]);
    const desired = deployment("good:1", 1, []);
    const result = attributeDrift(live, objectChanges(live, desired), OURS);
    expect(result.owned).toEqual([]);
  });

  it("falls back to the newest foreign manager when nobody owns the change, never to ours", () => {
    const live = deployment("good:1", 3, [
      entry(OURS, "Apply", "2026-01-01T00:00:00Z", {}),
      entry("kubectl-patch", "Update", "2026-01-01T00:05:00Z", { "f:metadata": { "f:labels": {} } }),
    ]);
    const desired = deployment("good:1", 1, []);
    expect(attributeDrift(live, objectChanges(live, desired), OURS).managers).toEqual(["kubectl-patch"]);
    const onlyOurs = deployment("good:1", 3, [entry(OURS, "Apply", "2026-01-01T00:09:00Z", {})]);
    expect(attributeDrift(onlyOurs, objectChanges(onlyOurs, desired), OURS).managers).toEqual([]);
  });

  it("counts a manager owning an enclosing atomic value", () => {
    const live: KubeObject = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: {
        name: "a",
        managedFields: [entry("helm", "Update", "2026-01-01T00:00:00Z", { "f:spec": { "f:args": {} } })],
      },
      spec: { args: ["x", "y"] },
    };
    const desired: KubeObject = { ...live, metadata: { name: "a" }, spec: { args: ["x", "z"] } };
    expect(attributeDrift(live, objectChanges(live, desired), OURS)).toMatchObject({
      managers: ["helm"],
      owned: [{ path: "spec.args[1]" }],
    });
  });
});
