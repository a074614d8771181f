import { describe, expect, it } from "vitest";
import { buildTree, dedent } from "./testing/tree.js";

const K = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n";
const CM_HEAD = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n";

function buildError(files: Record<string, string>): string {
  try {
    buildTree(files);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error("expected the build to fail");
}

/**
 * Issue 18, item 1: input shapes real trees use that the corpus never had. Each golden output is
 * what `kubectl kustomize` (kustomize v5.5.0) prints for the same tree.
 */
describe("a block scalar that ends the file without a line break", () => {
  it("has no final line break, as go-yaml reads it (clip and keep chomping)", () => {
    const files = { "kustomization.yaml": K + "resources:\n- cm.yaml\n", "cm.yaml": CM_HEAD + "data:\n  a: |\n    foo\n    bar" };
    expect(buildTree(files)).toBe(CM_HEAD.replace("kind: ConfigMap\nmetadata:\n  name: x\n", "") + dedent(`
      data:
        a: |-
          foo
          bar
      kind: ConfigMap
      metadata:
        name: x
    `));
    files["cm.yaml"] = CM_HEAD + "data:\n  a: |+\n    foo\n    bar  ";
    expect(buildTree(files)).toContain('  a: "foo\\nbar  "\n');
    files["cm.yaml"] = CM_HEAD + "data:\n  a: >\n    foo\n    bar";
    expect(buildTree(files)).toContain("  a: foo bar\n");
  });

  it("keeps the break when blank lines or another line follow it", () => {
    const files = { "kustomization.yaml": K + "resources:\n- cm.yaml\n", "cm.yaml": CM_HEAD + "data:\n  a: |\n    foo\n  " };
    expect(buildTree(files)).toContain("  a: |\n    foo\n");
  });

  it("applies to patches and kustomization files too", () => {
    const files = {
      "kustomization.yaml": K + "resources:\n- cm.yaml\npatches:\n- path: p.yaml\nconfigMapGenerator:\n- name: g\n  literals:\n  - |\n    k=a\n    b",
      "cm.yaml": CM_HEAD,
      "p.yaml": CM_HEAD + "data:\n  p: |\n    x\n    y",
    };
    const out = buildTree(files);
    expect(out).toContain("  p: |-\n    x\n    y\n");
    expect(out).toContain("  k: |-\n    a\n    b\n");
  });
});

describe("explicit nulls, read as Go's zero values", () => {
  it("null kustomization fields and list items do not crash the build", () => {
    const files = {
      "kustomization.yaml":
        K +
        "resources:\n- cm.yaml\ncomponents: null\nconfigurations: null\npatchesStrategicMerge: null\nvars: null\n" +
        "labels:\n- pairs: null\n  fields: null\nimages:\n- name: nginx\n  newTag: null\nreplicas: null\n" +
        "configMapGenerator:\n- name: g\n  literals: null\n  options: null\n" +
        "replacements:\n- source:\n    kind: ConfigMap\n    name: x\n    fieldPath: null\n  targets:\n  - select:\n      kind: ConfigMap\n      name: g\n    fieldPaths:\n    - data.from\n    options:\n      create: true\n",
      "cm.yaml": CM_HEAD,
    };
    expect(buildTree(files)).toBe(dedent(`
      apiVersion: v1
      data:
        from: x
      kind: ConfigMap
      metadata:
        name: g-cd7d9t9df6
      ---
      apiVersion: v1
      kind: ConfigMap
      metadata:
        name: x
    `));
  });

  it("a null where a field spec goes through a list becomes [], one it creates through becomes a map", () => {
    const files = {
      "kustomization.yaml": K + "resources:\n- d.yaml\ncommonLabels:\n  app: x\nimages:\n- name: nginx\n  newTag: \"1.2\"\n",
      "d.yaml": dedent(`
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: d
        spec:
          selector: null
          template:
            spec:
              initContainers: null
              containers:
              - name: c
                image: nginx
                env: null
      `),
    };
    expect(buildTree(files)).toBe(dedent(`
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        labels:
          app: x
        name: d
      spec:
        selector:
          matchLabels:
            app: x
        template:
          metadata:
            labels:
              app: x
          spec:
            containers:
            - env: null
              image: nginx:1.2
              name: c
            initContainers: []
    `));
  });

  it("an empty resources or components entry is refused", () => {
    expect(buildError({ "kustomization.yaml": K + "resources:\n-\n" })).toContain("new root cannot be empty");
    expect(buildError({ "kustomization.yaml": K + "components:\n- ''\n" })).toContain("new root cannot be empty");
  });
});

describe("what kustomize adds or drops", () => {
  it("a Secret generator always writes data, {} when it has no keys (and hashes it)", () => {
    const out = buildTree({ "kustomization.yaml": K + "secretGenerator:\n- name: s\n  type: kubernetes.io/tls\n" });
    expect(out).toBe(dedent(`
      apiVersion: v1
      data: {}
      kind: Secret
      metadata:
        name: s-694464d966
      type: kubernetes.io/tls
    `));
  });

  it("an empty ConfigMap generator writes no data", () => {
    expect(buildTree({ "kustomization.yaml": K + "configMapGenerator:\n- name: c\n" })).not.toMatch(/^data/m);
  });

  it("a generator without a name is refused", () => {
    expect(buildError({ "kustomization.yaml": K + "secretGenerator:\n- literals:\n  - a=b\n" })).toContain("a configmap must have a name");
  });

  it("empty or null metadata.annotations are dropped, as kustomize's annotation clearer does", () => {
    const files = {
      "kustomization.yaml": K + "resources:\n- cm.yaml\n",
      "cm.yaml": CM_HEAD + "  annotations: {}\n  labels: {}\n---\n" + CM_HEAD.replace("name: x", "name: z") + "  annotations: null\n",
    };
    expect(buildTree(files)).toBe(dedent(`
      apiVersion: v1
      kind: ConfigMap
      metadata:
        labels: {}
        name: x
      ---
      apiVersion: v1
      kind: ConfigMap
      metadata:
        name: z
    `));
  });
});

describe("an empty kustomization file", () => {
  it.each([
    ["kustomization.yaml", ""],
    ["kustomization.yaml", "# only a comment\n"],
    ["Kustomization", "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"],
    ["kustomization.yaml", "resources:\nnamePrefix: ''\nbases: []\n"],
  ])("%s %j is refused (kustomize's CheckEmpty)", (name, text) => {
    expect(buildError({ [name]: text })).toContain("kustomization.yaml is empty");
  });

  it("an empty list or map is not empty to Go: it builds nothing", () => {
    expect(buildTree({ "kustomization.yaml": "resources: []\n" })).toBe("");
    expect(buildTree({ "kustomization.yaml": "commonLabels: {}\n" })).toBe("");
  });
});

describe("a replacements file", () => {
  const RES = dedent(`
    apiVersion: v1
    kind: Service
    metadata:
      name: webhook-service
      namespace: system
    ---
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: cfg
    data:
      host: a.b.svc.cluster.local
  `);

  it("counts only its first document, as sigs.k8s.io/yaml reads it", () => {
    const repl = (field: string, index: number): string =>
      `source:\n  kind: Service\n  fieldPath: ${field}\ntargets:\n- select:\n    kind: ConfigMap\n  fieldPaths:\n  - data.host\n  options:\n    delimiter: '.'\n    index: ${index}\n`;
    const files = {
      "kustomization.yaml": K + "resources:\n- res.yaml\nreplacements:\n- path: r.yaml\n",
      "res.yaml": RES,
      "r.yaml": repl("metadata.name", 0) + "---\n" + repl("metadata.namespace", 1),
    };
    expect(buildTree(files)).toContain("  host: webhook-service.b.svc.cluster.local\n");
  });

  it("that is empty is refused with kustomize's words", () => {
    const files = { "kustomization.yaml": K + "resources:\n- res.yaml\nreplacements:\n- path: r.yaml\n", "res.yaml": RES, "r.yaml": "" };
    expect(buildError(files)).toContain("unsupported replacement type encountered within replacement path: invalid");
  });
});
