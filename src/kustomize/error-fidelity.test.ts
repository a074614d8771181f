import { describe, expect, it } from "vitest";
import { buildTree, dedent } from "./testing/tree.js";

const K = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n";
const DEPLOY = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: nginx\nspec:\n  replicas: 1\n";

function buildError(files: Record<string, string>): string {
  try {
    buildTree(files);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error("expected the build to fail");
}

/**
 * Issue 18: the engine fails where kustomize v5.5.0 fails and for the same cause. Each expected
 * message below is what `kubectl kustomize` (kustomize v5.5.0) says for the same tree.
 */
describe("kustomize errors, cause for cause", () => {
  it("an empty patch file is an empty JSON patch: it needs a target (PatchTransformer.transformJson6902)", () => {
    const files = { "kustomization.yaml": K + "resources:\n- d.yaml\npatches:\n- path: empty.yaml\n", "d.yaml": DEPLOY, "empty.yaml": "" };
    expect(buildError(files)).toContain('must specify a target for JSON patch [path: "empty.yaml"]');
    const targeted = { ...files, "kustomization.yaml": K + "resources:\n- d.yaml\npatches:\n- path: empty.yaml\n  target:\n    kind: Deployment\n" };
    expect(buildTree(targeted)).toBe(dedent(`
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: nginx
      spec:
        replicas: 1
    `));
  });

  it("a patch file of comments only decodes as both patch kinds and is refused", () => {
    const files = {
      "kustomization.yaml": K + "resources:\n- d.yaml\npatches:\n- path: c.yaml\n",
      "d.yaml": DEPLOY,
      "c.yaml": "\n# a comment\n  # another\n",
    };
    expect(buildError(files)).toContain('illegally qualifies as both an SM and JSON patch: [path: "c.yaml"]');
  });

  it("every patch is configured before any runs: a later entry's load error is the one reported", () => {
    // kustomize's TestEmptyPatchFilesShouldBeIgnored: empty.yaml would fail only when run.
    const files = {
      "kustomization.yaml": K + "resources:\n- d.yaml\npatches:\n- path: empty.yaml\n- path: c.yaml\n",
      "d.yaml": DEPLOY,
      "empty.yaml": "",
      "c.yaml": "# only a comment\n",
    };
    expect(buildError(files)).toContain('illegally qualifies as both an SM and JSON patch: [path: "c.yaml"]');
  });

  it("sortOptions without an order fails on the order, Go's zero value", () => {
    const err = buildError({ "kustomization.yaml": K + "resources:\n- d.yaml\nsortOptions:\n  legacySortOptions: {}\n", "d.yaml": DEPLOY });
    expect(err).toContain("the field 'sortOptions.order' must be one of [fifo, legacy]");
    const empty = buildError({ "kustomization.yaml": K + "resources:\n- d.yaml\nsortOptions: {}\n", "d.yaml": DEPLOY });
    expect(empty).toContain("the field 'sortOptions.order' must be one of [fifo, legacy]");
  });

  it("a file in the components list must be a directory", () => {
    const err = buildError({ "kustomization.yaml": K + "components:\n- stub.yaml\n", "stub.yaml": DEPLOY });
    expect(err).toContain("must build at directory: 'stub.yaml': file is not directory");
  });

  it("a repeated mapping key is named", () => {
    const err = buildError({ "kustomization.yaml": K + "resources:\n- d.yaml\n", "d.yaml": DEPLOY + "  replicas: 2\n" });
    expect(err).toContain('mapping key "replicas" already defined');
  });
});
