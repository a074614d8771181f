import { describe, expect, it } from "vitest";
import type { YAMLMap } from "yaml";
import { applyStrategicMergePatch } from "../patch/strategic-merge.js";
import { normalize, parseNode, render } from "../patch/testing.js";
import { BuildSchema } from "./build-schema.js";
import { PatchSchema } from "./schema.js";

// From kustomize's examples/customOpenAPIschema.md (expected output from kubectl kustomize v5.5.0).
const customSchema = JSON.stringify({
  definitions: {
    "v1alpha1.MyResource": {
      properties: { spec: { properties: { template: { $ref: "#/definitions/io.k8s.api.core.v1.PodTemplateSpec" } }, type: "object" } },
      type: "object",
      "x-kubernetes-group-version-kind": [{ group: "example.com", kind: "MyResource", version: "v1alpha1" }],
    },
    "io.k8s.api.core.v1.PodTemplateSpec": { properties: { spec: { $ref: "#/definitions/io.k8s.api.core.v1.PodSpec" } } },
    "io.k8s.api.core.v1.PodSpec": {
      properties: {
        containers: {
          items: { $ref: "#/definitions/io.k8s.api.core.v1.Container" },
          type: "array",
          "x-kubernetes-patch-merge-key": "name",
          "x-kubernetes-patch-strategy": "merge",
        },
      },
    },
    "io.k8s.api.core.v1.Container": { properties: { name: { type: "string" } } },
  },
});

const resource = `apiVersion: example.com/v1alpha1
kind: MyResource
metadata:
  name: service
spec:
  template:
    spec:
      containers:
      - name: server
        image: server
        command: example
`;
const patch = `apiVersion: example.com/v1alpha1
kind: MyResource
metadata:
  name: service
spec:
  template:
    spec:
      containers:
      - name: server
        image: nginx
`;

describe("BuildSchema", () => {
  it("uses a custom schema from openapi.path, so a custom kind's list merges by key", () => {
    const build = new BuildSchema();
    build.configure({ path: "schema.json" }, () => customSchema, true, "kustomization.yaml");
    const out = applyStrategicMergePatch(parseNode(resource) as YAMLMap, parseNode(patch) as YAMLMap, build.schema);
    expect(render([out!])).toBe(
      normalize(`apiVersion: example.com/v1alpha1
kind: MyResource
metadata:
  name: service
spec:
  template:
    spec:
      containers:
      - command: example
        image: nginx
        name: server
`),
    );
  });

  it("replaces the list of a custom kind without a schema", () => {
    const out = applyStrategicMergePatch(parseNode(resource) as YAMLMap, parseNode(patch) as YAMLMap, PatchSchema.builtin());
    expect(render([out!])).toBe(
      normalize(`apiVersion: example.com/v1alpha1
kind: MyResource
metadata:
  name: service
spec:
  template:
    spec:
      containers:
      - image: nginx
        name: server
`),
    );
  });

  it("lets only the first kustomization that sets it choose, unless the root resets", () => {
    const build = new BuildSchema();
    build.configure(undefined, () => "", true, "root");
    build.configure({ path: "a.json" }, () => customSchema, false, "base-a");
    const chosen = build.schema;
    build.configure({ version: "v1.21.2" }, () => "", false, "base-b");
    expect(build.schema).toBe(chosen);
    expect(chosen.forType("example.com/v1alpha1", "MyResource")).toBeDefined();
    expect(chosen.forType("apps/v1", "Deployment")).toBeUndefined();
  });

  it("rejects unknown versions and path plus version", () => {
    expect(() => new BuildSchema().configure({ version: "v1.30.0" }, () => "", true, "k.yaml")).toThrow(
      "k.yaml: the specified OpenAPI version is not built in",
    );
    expect(() => new BuildSchema().configure({ path: "s.json", version: "v1.21.2" }, () => "", true, "k.yaml")).toThrow(
      "cannot use both",
    );
  });
});
