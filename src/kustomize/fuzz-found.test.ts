import { describe, expect, it } from "vitest";
import { buildTree, dedent } from "./testing/tree.js";

/**
 * Issue 18 item 5: mismatches the differential fuzz test (test/unit/kustomize-differential-fuzz)
 * found, each as a golden test. Expected outputs are `kubectl kustomize`'s (kustomize v5.5.0).
 */
describe("found by differential fuzzing", () => {
  it("a replacement-created value is untyped until a strategic merge walk quotes it", () => {
    // kyaml creates the field with no tag (the output reads `80` as a number); its FieldSetter,
    // run on every field by a strategic merge patch, double-quotes untagged YAML 1.1 non-strings.
    const base = {
      "b/kustomization.yaml":
        "resources:\n- r.yaml\nreplacements:\n- source:\n    kind: Service\n    fieldPath: spec.ports.0.port\n  targets:\n" +
        "  - select:\n      kind: Deployment\n    fieldPaths:\n    - spec.x\n    options:\n      delimiter: \".\"\n      index: 1\n      create: true\n" +
        "  - select:\n      kind: Deployment\n    fieldPaths:\n    - spec.z\n    options:\n      create: true\n",
      "b/r.yaml": "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\nspec:\n  ports:\n  - port: 80\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\n",
    };
    const deployment = (x: string, z: string): string => `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  x: ${x}\n  z: ${z}\n`;
    const service = "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\nspec:\n  ports:\n  - port: 80\n---\n";
    expect(buildTree(base, "b")).toBe(service + deployment("0.8", "80"));
    const patched = {
      ...base,
      "o/kustomization.yaml": "resources:\n- ../b\npatches:\n- target:\n    kind: Deployment\n  patch: |\n    apiVersion: apps/v1\n    kind: Deployment\n    metadata:\n      name: any\n",
    };
    expect(buildTree(patched, "o")).toBe(service + deployment('".80"', '"80"'));
  });

  it("labels share one value node per resource and key, so a later write shows in every place", () => {
    const files = {
      "kustomization.yaml": "resources:\n- d.yaml\nlabels:\n- pairs:\n    env: dev\n  includeTemplates: true\n- pairs:\n    env: web\n",
      "d.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  template:\n    metadata:\n      labels:\n        app: web\n",
    };
    expect(buildTree(files)).toBe(dedent(`
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        labels:
          env: web
        name: d
      spec:
        template:
          metadata:
            labels:
              app: web
              env: web
    `));
  });

  it("a Secret generator repeating a key is reported as kustomize words it ('configmap')", () => {
    let message = "";
    try {
      buildTree({ "kustomization.yaml": "secretGenerator:\n- name: s\n  literals:\n  - a=1\n  - a=2\n" });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain("configmap s illegally repeats the key `a`");
  });
});
