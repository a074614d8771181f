import { describe, expect, it } from "vitest";
import { buildSchemaTable } from "./build-table.js";
import { PatchSchema } from "./schema.js";

describe("buildSchemaTable", () => {
  const doc = {
    definitions: {
      "x.Thing": {
        properties: {
          spec: { $ref: "#/definitions/x.Spec" },
          plain: { type: "string" },
        },
        "x-kubernetes-group-version-kind": [{ group: "example.com", version: "v1", kind: "Thing" }],
      },
      "x.Spec": {
        properties: {
          items: { type: "array", items: { $ref: "#/definitions/x.Item" }, "x-kubernetes-patch-strategy": "merge", "x-kubernetes-patch-merge-key": "name" },
          atomic: { type: "array", items: { type: "string" } },
          inline: { type: "object", properties: { tags: { type: "array", "x-kubernetes-patch-strategy": "merge" } } },
          byName: { type: "object", additionalProperties: { $ref: "#/definitions/x.Item" } },
        },
      },
      "x.Item": { properties: { ports: { type: "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["port", "protocol"], "x-kubernetes-patch-strategy": "merge", "x-kubernetes-patch-merge-key": "port" } } },
      "x.Unrelated": { properties: { a: { type: "string" } } },
    },
    paths: {
      "/apis/example.com/v1/things/{name}": { get: { "x-kubernetes-group-version-kind": { group: "example.com", version: "v1", kind: "Thing" } } },
    },
  };
  const table = buildSchemaTable(doc, "fixture");
  const schema = new PatchSchema(table);

  it("keeps only definitions that lead to merge lists, indexed by apiVersion and kind", () => {
    expect(Object.keys(table.defs).sort()).toEqual(["x.Item", "x.Spec", "x.Spec.byName", "x.Spec.inline", "x.Thing"]);
    expect(table.gvks).toEqual({ "example.com/v1 Thing": "x.Thing" });
    expect(table.clusterScoped).toEqual(["example.com/v1 Thing"]);
  });

  it("answers merge keys: list-map-keys first, inline objects and map values followed", () => {
    const spec = schema.field(schema.forType("example.com/v1", "Thing"), "spec");
    const items = schema.field(spec, "items");
    expect(schema.mergeKeys(items)).toEqual(["name"]);
    expect(schema.mergeKeys(schema.field(schema.elements(items), "ports"))).toEqual(["port", "protocol"]);
    expect(schema.mergeKeys(schema.field(schema.field(spec, "inline"), "tags"))).toEqual([]);
    expect(schema.mergeKeys(schema.field(spec, "atomic"))).toBeUndefined();
    expect(schema.mergeKeys(schema.field(schema.field(schema.field(spec, "byName"), "anyKey"), "ports"))).toEqual(["port", "protocol"]);
  });
});

describe("the generated built-in table", () => {
  const schema = PatchSchema.builtin();
  const podSpec = (apiVersion: string, kind: string, ...path: string[]) =>
    path.reduce((node, f) => schema.field(node, f), schema.forType(apiVersion, kind));

  it("has the merge keys kustomize v5.5 uses for common fields", () => {
    const pod = podSpec("apps/v1", "Deployment", "spec", "template", "spec");
    expect(schema.mergeKeys(schema.field(pod, "containers"))).toEqual(["name"]);
    expect(schema.mergeKeys(schema.field(pod, "volumes"))).toEqual(["name"]);
    const container = schema.elements(schema.field(pod, "containers"));
    expect(schema.mergeKeys(schema.field(container, "ports"))).toEqual(["containerPort", "protocol"]);
    expect(schema.mergeKeys(schema.field(container, "args"))).toBeUndefined();
    expect(schema.mergeKeys(schema.field(schema.field(schema.forType("v1", "ConfigMap"), "metadata"), "finalizers"))).toEqual([]);
    expect(schema.mergeKeys(podSpec("batch/v1beta1", "CronJob", "spec", "jobTemplate", "spec", "template", "spec", "containers"))).toEqual(["name"]);
  });

  it("knows which kinds are cluster-scoped", () => {
    expect(schema.isClusterScoped("v1", "Namespace")).toBe(true);
    expect(schema.isClusterScoped("rbac.authorization.k8s.io/v1", "ClusterRole")).toBe(true);
    expect(schema.isClusterScoped("apps/v1", "Deployment")).toBe(false);
    expect(schema.isClusterScoped("example.com/v1", "Widget")).toBe(false);
  });
});
