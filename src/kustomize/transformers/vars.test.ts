import { describe, expect, it } from "vitest";
import { parse, type YAMLMap } from "yaml";
import { PatchSchema } from "../openapi/schema.js";
import { render } from "../output.js";
import { Resource } from "../resource.js";
import { parseNodes } from "../patch/testing.js";
import { VAR_REFERENCE_SPECS } from "./var-reference-specs.js";
import { expandText, markVarTargets, parseVar, resolveVars } from "./vars.js";

// Expected outputs and errors come from `kubectl kustomize` (kustomize v5.5.0) on
// `resources: [target.yaml]` (plus `namePrefix` where a case sets `prefix`) and the `vars:` list.
const resources = `
apiVersion: v1
kind: ConfigMap
metadata:
  name: cfg
data:
  port: "8080"
  flag: "on"
---
apiVersion: v1
kind: Service
metadata:
  name: db
  annotations:
    note: "$(DB_NAME) on $(DB_PORT)"
spec:
  ports:
  - port: $(DB_PORT)
    targetPort: $(CFG_PORT)
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  template:
    spec:
      containers:
      - name: app
        command: ["run", "--db=$(DB_NAME):$(DB_PORT)", "$$(DB_NAME)", "$(UNKNOWN)", "$(REPLICAS)"]
        env:
        - name: A
          value: $(REPLICAS)
        - name: B
          value: cost $5 $(CFG_PORT)
`;

interface Case {
  name: string;
  vars: string;
  prefix?: string;
  expected?: string;
  error?: string;
}

const cases: Case[] = [
  {
    name: "expands vars in default fields, keeping the type of whole-value references",
    vars: `- name: DB_NAME
  objref: {kind: Service, name: db, apiVersion: v1}
- name: DB_PORT
  objref: {kind: Deployment, name: web, apiVersion: apps/v1}
  fieldref:
    fieldpath: spec.template.spec.containers[0].name
- name: CFG_PORT
  objRef: {kind: ConfigMap, name: cfg, apiVersion: v1}
  fieldRef: {fieldPath: data.port}
- name: REPLICAS
  objref: {kind: Deployment, name: web, apiVersion: apps/v1}
  fieldref: {fieldpath: spec.replicas}
`,
    expected: `apiVersion: v1
data:
  flag: "on"
  port: "8080"
kind: ConfigMap
metadata:
  name: cfg
---
apiVersion: v1
kind: Service
metadata:
  annotations:
    note: db on app
  name: db
spec:
  ports:
  - port: app
    targetPort: "8080"
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  template:
    spec:
      containers:
      - command:
        - run
        - --db=db:app
        - $(DB_NAME)
        - $(UNKNOWN)
        - 2
        env:
        - name: A
          value: 2
        - name: B
          value: cost $5 8080
        name: app
`,
  },
  {
    name: "uses names after a prefix and values after name references",
    vars: `- name: DB_NAME
  objref: {kind: Service, name: db, apiVersion: v1}
- name: DB_PORT
  objref: {kind: Deployment, name: web, apiVersion: apps/v1}
  fieldref:
    fieldpath: spec.template.spec.containers[0].name
- name: CFG_PORT
  objRef: {kind: ConfigMap, name: cfg, apiVersion: v1}
  fieldRef: {fieldPath: data.port}
- name: REPLICAS
  objref: {kind: Deployment, name: web, apiVersion: apps/v1}
  fieldref: {fieldpath: spec.replicas}
`,
    prefix: "p-",
    expected: `apiVersion: v1
data:
  flag: "on"
  port: "8080"
kind: ConfigMap
metadata:
  name: p-cfg
---
apiVersion: v1
kind: Service
metadata:
  annotations:
    note: p-db on app
  name: p-db
spec:
  ports:
  - port: app
    targetPort: "8080"
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: p-web
spec:
  replicas: 2
  template:
    spec:
      containers:
      - command:
        - run
        - --db=p-db:app
        - $(DB_NAME)
        - $(UNKNOWN)
        - 2
        env:
        - name: A
          value: 2
        - name: B
          value: cost $5 8080
        name: app
`,
  },
  {
    name: "a var that matches no resource is an error",
    vars: `- name: X
  objref: {kind: Service, name: nope, apiVersion: v1}
`,
    error: "cannot be mapped to a field in the set of known resources",
  },
  {
    name: "a var whose field is missing is an error",
    vars: `- name: X
  objref: {kind: Service, name: db, apiVersion: v1}
  fieldref: {fieldpath: spec.nope}
`,
    error: "not found in corresponding resource",
  },
];

function build(c: Case): string {
  const res = parseNodes(resources.trimStart()).map((n) => new Resource(n as YAMLMap));
  for (const r of res) {
    if (c.prefix === undefined) continue;
    r.rememberId();
    r.setName(`${c.prefix}${r.name()}`);
  }
  const schema = PatchSchema.builtin();
  const vars = (parse(c.vars) as unknown[]).map(parseVar);
  markVarTargets(res, vars, (v, k) => schema.isClusterScoped(v, k));
  resolveVars(res, vars, VAR_REFERENCE_SPECS);
  return render(res);
}

describe("vars", () => {
  for (const c of cases) {
    it(c.name, () => {
      if (c.error !== undefined) {
        expect(() => build(c)).toThrow(c.error);
        return;
      }
      expect(build(c)).toBe(c.expected);
    });
  }

  it("refuses a var whose objref matches two resources", () => {
    const res = parseNodes("apiVersion: v1\nkind: Service\nmetadata: {name: a, namespace: x}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: a, namespace: y}\n").map(
      (n) => new Resource(n as YAMLMap),
    );
    const v = parseVar({ name: "A", objref: { apiVersion: "v1", kind: "Service", name: "a" } });
    expect(() => markVarTargets(res, [v], () => false)).toThrow("found 2 resId matches for var");
    const ns = parseVar({ name: "A", objref: { apiVersion: "v1", kind: "Service", name: "a", namespace: "y" } });
    expect(() => markVarTargets(res, [ns], () => false)).not.toThrow();
  });

  it("expands text like kustomize's DoReplacements", () => {
    const values = new Map([["A", { type: "str" as const, value: "x" }]]);
    expect(expandText("$(A)-$$(A)-$A-$(B)-$(A", values)).toBe("x-$(A)-$A-$(B)-$(A");
    expect(expandText("end$", values)).toBe("end$");
  });
});
