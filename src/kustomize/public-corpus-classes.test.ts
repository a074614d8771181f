import { describe, expect, it } from "vitest";
import { buildTree } from "./testing/tree.js";

/**
 * Issue 18: classes of mismatch found by the public kustomize corpus
 * (test/kustomize-corpus-public), one minimal golden each. Expected outputs are kubectl
 * kustomize's (v5.5.0) for the same trees; the behaviour is kustomize's as its source shows it.
 */
describe("public corpus mismatch classes", () => {
  // yaml.v3 (libyaml) never checks a quoted scalar's continuation indentation; controller-gen's
  // older CRDs (flagger's) put description lines at the key's column or less.
  it("accepts quoted scalars whose continuation lines are under-indented, value unchanged", () => {
    const files = { "kustomization.yaml": "resources:\n- crd.yaml\n", "crd.yaml": `apiVersion: v1
kind: ConfigMap
metadata:
  name: quoted
  annotations:
    single: 'APIVersion defines the versioned schema
    of an object; it''s folded
  even here'
data:
  double: "first line
  second \\"line\\"
third"
  list:
  - 'item
    continued'
  next: |
    'not a quote
  last: plain
` };
    expect(buildTree(files)).toBe(`apiVersion: v1
data:
  double: first line second "line" third
  last: plain
  list:
  - item continued
  next: |
    'not a quote
kind: ConfigMap
metadata:
  annotations:
    single: APIVersion defines the versioned schema of an object; it's folded even
      here
  name: quoted
`);
  });

  // kyaml's SetLabels writes string nodes, but kustomize calls it only from
  // CopyMergeMetaDataFieldsFrom (ResMap.ApplySmPatch: patches with a target, patchesStrategicMerge;
  // generator merges): elsewhere a label keeps its YAML type (flux2's invalid-labels testdata).
  it("keeps label value types except where kustomize sets the labels again", () => {
    const files = { "kustomization.yaml": `resources:
- r.yaml
patches:
- target: {kind: ConfigMap, name: a}
  patch: |
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: a
      labels:
        fromTarget: 1
- patch: |
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: b
      labels:
        noTarget: 2
- target: {kind: ConfigMap, name: c}
  patch: |
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: c
      labels: null
patchesStrategicMerge:
- |
  apiVersion: v1
  kind: ConfigMap
  metadata:
    name: d
    labels:
      legacy: 3
`, "r.yaml": `apiVersion: v1
kind: ConfigMap
metadata:
  name: a
  labels: {kept: 0}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: b
  labels: {kept: 0}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: c
  labels: {kept: 0}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: d
  labels: {kept: 0}
` };
    expect(buildTree(files)).toBe(`apiVersion: v1
kind: ConfigMap
metadata:
  labels:
    fromTarget: "1"
    kept: 0
  name: a
---
apiVersion: v1
kind: ConfigMap
metadata:
  labels:
    kept: 0
    noTarget: 2
  name: b
---
apiVersion: v1
kind: ConfigMap
metadata:
  labels:
    kept: 0
  name: c
---
apiVersion: v1
kind: ConfigMap
metadata:
  labels:
    kept: 0
    legacy: "3"
  name: d
`);
  });

  // PatchTransformer/PatchJson6902Transformer run on resources that carry kustomize's internal
  // annotations, so /metadata/annotations always exists for a JSON patch (kubernetes-sigs/
  // security-profiles-operator's helm overlay adds annotations to objects that have none).
  it("lets a JSON patch add under metadata.annotations of a resource that has none", () => {
    const files = { "kustomization.yaml": `resources:
- r.yaml
configMapGenerator:
- name: g
  literals: [a=b]
patches:
- target: {kind: ConfigMap}
  patch: |-
    - op: add
      path: /metadata/annotations/x
      value: "1"
- target: {kind: Service}
  patch: |-
    - op: remove
      path: /metadata/annotations
`, "r.yaml": `apiVersion: v1
kind: ConfigMap
metadata:
  name: a
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: b
  annotations: null
---
apiVersion: v1
kind: Service
metadata:
  name: s
` };
    expect(buildTree(files)).toBe(`apiVersion: v1
kind: ConfigMap
metadata:
  annotations:
    x: "1"
  name: a
---
apiVersion: v1
kind: ConfigMap
metadata:
  annotations:
    x: "1"
  name: b
---
apiVersion: v1
data:
  a: b
kind: ConfigMap
metadata:
  annotations:
    x: "1"
  name: g-4h2mbtbbt6
---
apiVersion: v1
kind: Service
metadata:
  name: s
`);
  });

  // kyaml's RNode.MarshalJSON encodes with yaml.v3 and decodes again; yaml.v3's folded-scalar
  // emitter writes an extra break after a normal line, which survives before a more-indented line
  // (grafana-operator's JSON dashboards in `json: >`). Trailing spaces force quoting: unchanged.
  it("gives folded scalars the extra line break yaml.v3's round trip adds before more-indented lines", () => {
    const files = { "kustomization.yaml": `resources:
- r.yaml
`, "r.yaml": `apiVersion: v1
kind: ConfigMap
metadata:
  name: f
data:
  a: >
    x  
      y
  b: >2
      lead
    back
      more
  c: >

    after blank
      more
  d: >+
    keep
      more

  e: >-
    tab
    	more
  f: >
    one
    two


      more
    end
  g: >
    {
      "id": null
    }
` };
    expect(buildTree(files)).toBe(`apiVersion: v1
data:
  a: "x  \\n  y\\n"
  b: |2
      lead
    back
      more
  c: |2

    after blank

      more
  d: |+
    keep

      more

  e: "tab\\n\\n\\tmore"
  f: |
    one two



      more
    end
  g: |
    {

      "id": null
    }
kind: ConfigMap
metadata:
  name: f
`);
  });
});
