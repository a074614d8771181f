import { describe, expect, it } from "vitest";
import { parse, type YAMLMap } from "yaml";
import { PatchSchema } from "../openapi/schema.js";
import { render } from "../output.js";
import { Resource } from "../resource.js";
import { parseNodes } from "../patch/testing.js";
import { applyReplacements, loadReplacements, type Replacement } from "./replacements.js";

// Expected outputs and errors come from `kubectl kustomize` (kustomize v5.5.0) on
// `resources: [target.yaml]` (plus `namePrefix` where a case sets `prefix`) and the
// `replacements:` list of each case.
const resources = `
apiVersion: v1
kind: ConfigMap
metadata:
  name: cfg
  labels: {role: source}
data:
  host: db.example.com:5432
  port: "5432"
  image: repo/app:1.2
  limits: {cpu: 100m}
---
apiVersion: v1
kind: Service
metadata:
  name: svc
spec:
  ports:
  - name: pg
    port: 1
    targetPort: web
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {skip: "no"}
spec:
  replicas: 1
  template:
    spec:
      containers:
      - name: app
        image: placeholder:0
        env:
        - name: HOST
          value: x
        - name: PORT
          value: "0"
        args: ["--host=a", "--port=b"]
      - name: app-sidecar
        image: side:0
        resources:
          limits: {memory: 1Gi}
`;

interface Case {
  name: string;
  replacements: string;
  prefix?: string;
  expected?: string;
  error?: string;
}

const cases: Case[] = [
  {
    name: "copies scalars into env values, keeping each target's type",
    replacements: `- source: {kind: ConfigMap, name: cfg, fieldPath: data.port}
  targets:
  - select: {kind: Deployment}
    fieldPaths:
    - spec.template.spec.containers.[name=app].env.[name=PORT].value
    - spec.replicas
  - select: {kind: Service}
    fieldPaths:
    - spec.ports.0.port
    - spec.ports.[name=pg].targetPort
`,
    expected: `apiVersion: v1
data:
  host: db.example.com:5432
  image: repo/app:1.2
  limits:
    cpu: 100m
  port: "5432"
kind: ConfigMap
metadata:
  labels:
    role: source
  name: cfg
---
apiVersion: v1
kind: Service
metadata:
  name: svc
spec:
  ports:
  - name: pg
    port: 5432
    targetPort: "5432"
---
apiVersion: apps/v1
kind: Deployment
metadata:
  labels:
    skip: "no"
  name: web
spec:
  replicas: 5432
  template:
    spec:
      containers:
      - args:
        - --host=a
        - --port=b
        env:
        - name: HOST
          value: x
        - name: PORT
          value: "5432"
        image: placeholder:0
        name: app
      - image: side:0
        name: app-sidecar
        resources:
          limits:
            memory: 1Gi
`,
  },
  {
    name: "delimiters pick a part of the source and replace a part of the target",
    replacements: `- source: {kind: ConfigMap, name: cfg, fieldPath: data.host, options: {delimiter: ":", index: 0}}
  targets:
  - select: {kind: Deployment}
    fieldPaths: [spec.template.spec.containers.0.args.0]
    options: {delimiter: "=", index: 1}
  - select: {kind: Deployment}
    fieldPaths: [spec.template.spec.containers.0.args.1]
    options: {delimiter: "=", index: 5}
  - select: {kind: Deployment}
    fieldPaths: [spec.template.spec.containers.0.env.0.value]
    options: {delimiter: "/", index: -1}
`,
    expected: `apiVersion: v1
data:
  host: db.example.com:5432
  image: repo/app:1.2
  limits:
    cpu: 100m
  port: "5432"
kind: ConfigMap
metadata:
  labels:
    role: source
  name: cfg
---
apiVersion: v1
kind: Service
metadata:
  name: svc
spec:
  ports:
  - name: pg
    port: 1
    targetPort: web
---
apiVersion: apps/v1
kind: Deployment
metadata:
  labels:
    skip: "no"
  name: web
spec:
  replicas: 1
  template:
    spec:
      containers:
      - args:
        - --host=db.example.com
        - --port=b=db.example.com
        env:
        - name: HOST
          value: db.example.com/x
        - name: PORT
          value: "0"
        image: placeholder:0
        name: app
      - image: side:0
        name: app-sidecar
        resources:
          limits:
            memory: 1Gi
`,
  },
  {
    name: "the [field=value] matcher is an unanchored regular expression and * visits every element",
    replacements: `- source: {kind: ConfigMap, name: cfg, fieldPath: data.image}
  targets:
  - select: {kind: Deployment}
    fieldPaths:
    - spec.template.spec.containers.[name=app].image
- source: {kind: ConfigMap, name: cfg, fieldPath: metadata.name}
  targets:
  - select: {kind: Deployment}
    fieldPaths:
    - spec.template.spec.containers.*.env.[name=HOST].value
`,
    expected: `apiVersion: v1
data:
  host: db.example.com:5432
  image: repo/app:1.2
  limits:
    cpu: 100m
  port: "5432"
kind: ConfigMap
metadata:
  labels:
    role: source
  name: cfg
---
apiVersion: v1
kind: Service
metadata:
  name: svc
spec:
  ports:
  - name: pg
    port: 1
    targetPort: web
---
apiVersion: apps/v1
kind: Deployment
metadata:
  labels:
    skip: "no"
  name: web
spec:
  replicas: 1
  template:
    spec:
      containers:
      - args:
        - --host=a
        - --port=b
        env:
        - name: HOST
          value: cfg
        - name: PORT
          value: "0"
        image: repo/app:1.2
        name: app
      - image: repo/app:1.2
        name: app-sidecar
        resources:
          limits:
            memory: 1Gi
`,
  },
  {
    name: "create makes missing fields and list elements",
    replacements: `- source: {kind: ConfigMap, name: cfg, fieldPath: data.port}
  targets:
  - select: {kind: Deployment}
    fieldPaths:
    - spec.template.metadata.annotations.port
    - spec.template.spec.containers.[name=new].image
    - metadata.annotations.[example.com/port]
    options: {create: true}
`,
    expected: `apiVersion: v1
data:
  host: db.example.com:5432
  image: repo/app:1.2
  limits:
    cpu: 100m
  port: "5432"
kind: ConfigMap
metadata:
  labels:
    role: source
  name: cfg
---
apiVersion: v1
kind: Service
metadata:
  name: svc
spec:
  ports:
  - name: pg
    port: 1
    targetPort: web
---
apiVersion: apps/v1
kind: Deployment
metadata:
  annotations:
    example.com/port: "5432"
  labels:
    skip: "no"
  name: web
spec:
  replicas: 1
  template:
    metadata:
      annotations:
        port: 5432
    spec:
      containers:
      - args:
        - --host=a
        - --port=b
        env:
        - name: HOST
          value: x
        - name: PORT
          value: "0"
        image: placeholder:0
        name: app
      - image: side:0
        name: app-sidecar
        resources:
          limits:
            memory: 1Gi
      - image: 5432
        name: new
`,
  },
  {
    name: "maps replace maps; rejects by label and by id",
    replacements: `- source: {kind: ConfigMap, name: cfg, fieldPath: data.limits}
  targets:
  - select: {kind: Deployment}
    reject: [{labelSelector: "skip=yes"}, {name: other}]
    fieldPaths: [spec.template.spec.containers.1.resources.limits]
- source: {kind: ConfigMap, name: cfg}
  targets:
  - select: {}
    reject: [{kind: ConfigMap}, {kind: Service}]
    fieldPaths: [metadata.annotations.source]
    options: {create: true}
`,
    expected: `apiVersion: v1
data:
  host: db.example.com:5432
  image: repo/app:1.2
  limits:
    cpu: 100m
  port: "5432"
kind: ConfigMap
metadata:
  labels:
    role: source
  name: cfg
---
apiVersion: v1
kind: Service
metadata:
  name: svc
spec:
  ports:
  - name: pg
    port: 1
    targetPort: web
---
apiVersion: apps/v1
kind: Deployment
metadata:
  annotations:
    source: cfg
  labels:
    skip: "no"
  name: web
spec:
  replicas: 1
  template:
    spec:
      containers:
      - args:
        - --host=a
        - --port=b
        env:
        - name: HOST
          value: x
        - name: PORT
          value: "0"
        image: placeholder:0
        name: app
      - image: side:0
        name: app-sidecar
        resources:
          limits:
            cpu: 100m
`,
  },
  {
    name: "a source is found by the name it had before a prefix",
    replacements: `- source: {kind: ConfigMap, name: cfg}
  targets:
  - select: {kind: Deployment, name: web}
    fieldPaths: [spec.template.spec.containers.0.env.0.value]
`,
    prefix: "p-",
    expected: `apiVersion: v1
data:
  host: db.example.com:5432
  image: repo/app:1.2
  limits:
    cpu: 100m
  port: "5432"
kind: ConfigMap
metadata:
  labels:
    role: source
  name: p-cfg
---
apiVersion: v1
kind: Service
metadata:
  name: p-svc
spec:
  ports:
  - name: pg
    port: 1
    targetPort: web
---
apiVersion: apps/v1
kind: Deployment
metadata:
  labels:
    skip: "no"
  name: p-web
spec:
  replicas: 1
  template:
    spec:
      containers:
      - args:
        - --host=a
        - --port=b
        env:
        - name: HOST
          value: p-cfg
        - name: PORT
          value: "0"
        image: placeholder:0
        name: app
      - image: side:0
        name: app-sidecar
        resources:
          limits:
            memory: 1Gi
`,
  },
  {
    name: "a string cannot go into an int field",
    replacements: `- source: {kind: ConfigMap, name: cfg, fieldPath: data.host}
  targets:
  - select: {kind: Deployment}
    fieldPaths: [spec.replicas]
`,
    error: "yaml: cannot decode !!str `db.example.com:5432` as a !!int",
  },
  {
    name: "a missing source field is an error",
    replacements: `- source: {kind: ConfigMap, name: cfg, fieldPath: data.nope}
  targets:
  - select: {kind: Deployment}
`,
    error: "fieldPath `data.nope` is missing for replacement source ConfigMap.[noVer].[noGrp]/cfg.[noNs]",
  },
  {
    name: "a missing target field is an error",
    replacements: `- source: {kind: ConfigMap, name: cfg}
  targets:
  - select: {kind: Deployment}
    fieldPaths: [spec.template.spec.nope]
`,
    error: "unable to find field \"spec.template.spec.nope\" in replacement target",
  },
  {
    name: "a source selecting several resources is an error",
    replacements: `- source: {version: v1}
  targets:
  - select: {kind: Deployment}
`,
    error: "multiple matches for selector [noKind].v1.[noGrp]/[noName].[noNs]",
  },
  {
    name: "a source selecting nothing is an error",
    replacements: `- source: {kind: Secret}
  targets:
  - select: {kind: Deployment}
`,
    error: "nothing selected by Secret.[noVer].[noGrp]/[noName].[noNs]",
  },
  {
    name: "create makes an untyped element for [field=value] and a map source writes an empty scalar into it",
    replacements: `- source: {kind: Service, name: svc, fieldPath: spec.ports.0.port}
  targets:
  - select: {kind: Deployment}
    fieldPaths:
    - spec.ports.[name=h.*].name
    options: {create: true}
- source: {kind: ConfigMap, name: cfg, fieldPath: data.limits}
  targets:
  - select: {kind: Deployment}
    fieldPaths:
    - spec.other.[name=x].name
    options: {create: true}
`,
    expected: `apiVersion: v1
data:
  host: db.example.com:5432
  image: repo/app:1.2
  limits:
    cpu: 100m
  port: "5432"
kind: ConfigMap
metadata:
  labels:
    role: source
  name: cfg
---
apiVersion: v1
kind: Service
metadata:
  name: svc
spec:
  ports:
  - name: pg
    port: 1
    targetPort: web
---
apiVersion: apps/v1
kind: Deployment
metadata:
  labels:
    skip: "no"
  name: web
spec:
  other:
  - name: null
  ports:
  - name: 1
  replicas: 1
  template:
    spec:
      containers:
      - args:
        - --host=a
        - --port=b
        env:
        - name: HOST
          value: x
        - name: PORT
          value: "0"
        image: placeholder:0
        name: app
      - image: side:0
        name: app-sidecar
        resources:
          limits:
            memory: 1Gi
`,
  },
  {
    name: "a replacement that leaves a resource without a name fails",
    replacements: `- source: {kind: ConfigMap, name: cfg, fieldPath: data.limits}
  targets:
  - select: {kind: Deployment}
    fieldPaths: [metadata.name]
`,
    error: "missing metadata.name in object",
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
  applyReplacements(res, parse(c.replacements) as Replacement[], (v, k) => schema.isClusterScoped(v, k));
  return render(res);
}

describe("applyReplacements", () => {
  for (const c of cases) {
    it(c.name, () => {
      if (c.error !== undefined) {
        expect(() => build(c)).toThrow(c.error);
        return;
      }
      expect(build(c)).toBe(c.expected);
    });
  }

  it("reads replacements from files holding one object or a list", () => {
    const files: Record<string, string> = {
      "one.yaml": "source: {kind: A}\ntargets: [{select: {kind: B}}]\n",
      "many.yaml": "- source: {kind: C}\n  targets: [{select: {kind: D}}]\n- source: {kind: E}\n  targets: [{select: {kind: F}}]\n",
    };
    const loaded = loadReplacements([{ path: "one.yaml" }, { path: "many.yaml" }], (p) => files[p]!);
    expect(loaded.map((r) => r.source?.kind)).toEqual(["A", "C", "E"]);
    expect(() => loadReplacements([{ path: "one.yaml", source: { kind: "X" } }], (p) => files[p]!)).toThrow(
      "cannot specify both path and inline replacement",
    );
  });
});
