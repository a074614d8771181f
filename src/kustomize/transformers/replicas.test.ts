import { describe, expect, it } from "vitest";
import type { YAMLMap } from "yaml";
import { REPLICA_SPECS } from "../builtin-fieldspecs.js";
import { render } from "../output.js";
import { Resource } from "../resource.js";
import { parseNodes } from "../patch/testing.js";
import { applyReplicas } from "./replicas.js";

// Expected outputs come from `kubectl kustomize` (kustomize v5.5.0); resources are listed here in
// the order kustomize sorts them so the text compares directly.
const resources = `apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  ports: [{port: 80}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 1
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  serviceName: db
`;

const load = () => parseNodes(resources).map((n) => new Resource(n as YAMLMap));

describe("applyReplicas", () => {
  it("sets and creates replica counts by name, leaving other kinds of the same name alone", () => {
    const res = load();
    applyReplicas(res, [{ name: "web", count: 3 }, { name: "db", count: 0 }], REPLICA_SPECS);
    expect(render(res)).toBe(`apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  ports:
  - port: 80
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 3
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
spec:
  replicas: 0
  serviceName: db
`);
  });

  it("matches the name a resource had before a prefix was added", () => {
    const res = load();
    for (const r of res) {
      r.rememberId();
      r.setName(`p-${r.name()}`);
    }
    applyReplicas(res, [{ name: "web", count: 5 }], REPLICA_SPECS);
    expect(render([res[1]!])).toBe(`apiVersion: apps/v1
kind: Deployment
metadata:
  name: p-web
spec:
  replicas: 5
`);
  });

  it("fails when the name matches no resource of a replica kind", () => {
    expect(() => applyReplicas(load(), [{ name: "nope", count: 2 }], REPLICA_SPECS)).toThrow(
      /^resource with name nope does not match a config with the following GVK \[Deployment\.\[noVer\]\.\[noGrp\]/,
    );
  });
});
