import { describe, expect, it } from "vitest";
import type { YAMLMap } from "yaml";
import { renderOne } from "../output.js";
import { Resource } from "../resource.js";
import { applyJson6902, parseJson6902 } from "./json6902.js";
import { parseNode } from "./testing.js";

// Expected outputs (and error texts) come from `kubectl kustomize` (kustomize v5.5.0) with the
// target as the only resource and `patches: [{target: {kind: Deployment}, patch: <ops>}]`.
const target = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app: web
spec:
  replicas: 1
  paused:
  template:
    spec:
      containers:
      - name: app
        image: app:1
        args: [a, b, c]
`;

interface Case {
  name: string;
  ops: string;
  expected?: string;
  error?: string;
}

const cases: Case[] = [
  {
    name: "adds, replaces and removes",
    ops: `- op: add
  path: /spec/template/spec/containers/0/args/-
  value: d
- op: replace
  path: /spec/replicas
  value: 3
- op: remove
  path: /metadata/labels/app
- op: add
  path: /metadata/annotations
  value: {a: yes, b: "1", c: 1.50, d: 0755, e: on, f: 1e3, g: null}
`,
    expected: `apiVersion: apps/v1
kind: Deployment
metadata:
  annotations:
    a: "true"
    b: "1"
    c: "1.5"
    d: "493"
    e: "true"
    f: "1000"
    g: "null"
  labels: {}
  name: web
spec:
  paused: null
  replicas: 3
  template:
    spec:
      containers:
      - args:
        - a
        - b
        - c
        - d
        image: app:1
        name: app
`,
  },
  {
    name: "inserts at an index and removes with a negative index",
    ops: `- op: add
  path: /spec/template/spec/containers/0/args/1
  value: x
- op: remove
  path: /spec/template/spec/containers/0/args/-1
`,
    expected: `apiVersion: apps/v1
kind: Deployment
metadata:
  labels:
    app: web
  name: web
spec:
  paused: null
  replicas: 1
  template:
    spec:
      containers:
      - args:
        - a
        - x
        - b
        image: app:1
        name: app
`,
  },
  {
    name: "moves and copies",
    ops: `- op: copy
  from: /spec/template/spec/containers/0
  path: /spec/template/spec/initContainers
- op: move
  from: /metadata/labels
  path: /spec/selector
`,
    expected: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  paused: null
  replicas: 1
  selector:
    app: web
  template:
    spec:
      containers:
      - args:
        - a
        - b
        - c
        image: app:1
        name: app
      initContainers:
        args:
        - a
        - b
        - c
        image: app:1
        name: app
`,
  },
  {
    name: "accepts JSON text",
    ops: `[{"op": "replace", "path": "/metadata/name", "value": "renamed"}, {"op": "test", "path": "/spec/replicas", "value": 1}]
`,
    expected: `apiVersion: apps/v1
kind: Deployment
metadata:
  labels:
    app: web
  name: renamed
spec:
  paused: null
  replicas: 1
  template:
    spec:
      containers:
      - args:
        - a
        - b
        - c
        image: app:1
        name: app
`,
  },
  {
    name: "replace adds a missing key",
    ops: `- op: replace
  path: /spec/strategy
  value: {}
`,
    expected: `apiVersion: apps/v1
kind: Deployment
metadata:
  labels:
    app: web
  name: web
spec:
  paused: null
  replicas: 1
  strategy: {}
  template:
    spec:
      containers:
      - args:
        - a
        - b
        - c
        image: app:1
        name: app
`,
  },
  {
    name: "fails removing a missing key",
    ops: `- op: remove
  path: /spec/template/spec/volumes
`,
    error: "error in remove for path: '/spec/template/spec/volumes': Unable to remove nonexistent key: volumes: missing value",
  },
  {
    name: "fails adding under a missing parent",
    ops: `- op: add
  path: /spec/nothing/here
  value: 1
`,
    error: "add operation does not apply: doc is missing path: \"/spec/nothing/here\": missing value",
  },
  {
    name: "fails a test op",
    ops: `- op: test
  path: /spec/replicas
  value: 2
`,
    error: "testing value /spec/replicas failed: test failed",
  },
  {
    name: "escapes ~1 and ~0 in paths",
    ops: `- op: add
  path: /metadata/labels/example.com~1a~0b
  value: "true"
`,
    expected: `apiVersion: apps/v1
kind: Deployment
metadata:
  labels:
    app: web
    example.com/a~b: "true"
  name: web
spec:
  paused: null
  replicas: 1
  template:
    spec:
      containers:
      - args:
        - a
        - b
        - c
        image: app:1
        name: app
`,
  },
  {
    name: "fails replacing past the end of a list",
    ops: `- op: replace
  path: /spec/template/spec/containers/0/args/5
  value: z
`,
    error: "replace operation does not apply: doc is missing key: /spec/template/spec/containers/0/args/5: missing value",
  },
  {
    name: "fails an unknown op",
    ops: `- op: frob
  path: /spec
`,
    error: "Unexpected kind: frob",
  },
  {
    name: "copy from a missing key inserts null; add at -1 appends",
    ops: `- op: copy
  from: /spec/nope
  path: /spec/copied
- op: add
  path: /spec/template/spec/containers/0/args/-1
  value: z
`,
    expected: `apiVersion: apps/v1
kind: Deployment
metadata:
  labels:
    app: web
  name: web
spec:
  copied: null
  paused: null
  replicas: 1
  template:
    spec:
      containers:
      - args:
        - a
        - b
        - c
        - z
        image: app:1
        name: app
`,
  },
  {
    name: "test needs a numeric index",
    ops: `- op: test
  path: /spec/template/spec/containers/0/args/-
  value: null
`,
    error: "error in test for path: '/spec/template/spec/containers/0/args/-': strconv.Atoi: parsing \"-\": invalid syntax",
  },
  {
    name: "test of a missing key compares with null",
    ops: `- op: test
  path: /spec/nope
  value: null
`,
    expected: `apiVersion: apps/v1
kind: Deployment
metadata:
  labels:
    app: web
  name: web
spec:
  paused: null
  replicas: 1
  template:
    spec:
      containers:
      - args:
        - a
        - b
        - c
        image: app:1
        name: app
`,
  },
];

describe("applyJson6902", () => {
  for (const c of cases) {
    it(c.name, () => {
      const node = parseNode(target) as YAMLMap;
      const run = () => applyJson6902(node, parseJson6902(c.ops.trim(), "patch.yaml"), "patch.yaml");
      if (c.error !== undefined) {
        expect(run).toThrow(c.error);
        return;
      }
      run();
      expect(renderOne(new Resource(node))).toBe(c.expected);
    });
  }

  it("fails, like kustomize, on a value with YAML 1.1 boolean keys", () => {
    expect(() => parseJson6902("- op: add\n  path: /metadata/annotations\n  value: {on: yes}\n", "p.yaml")).toThrow(
      /unsupported type/,
    );
  });

  it("names the patch source when the text is not a list of operations", () => {
    expect(() => parseJson6902("op: add", "p.yaml")).toThrow("JSON patch p.yaml must be a list of operations");
  });
});
