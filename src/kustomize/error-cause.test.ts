import { describe, expect, it } from "vitest";
import { errorCause, resIdSubject, sameCause } from "./error-cause.js";

/** Issue 18: corpus error rows compare causes, not just "some error". */
describe("errorCause", () => {
  it.each([
    [
      "accumulating resources: accumulation err='accumulating resources from '../config': must resolve to a file': recursed merging from path 'config': may not add resource with an already registered id: StatefulSet.v1.apps/my-sts.[noNs]",
      "kustomization.yaml: may not add resource with an already registered id: apps_v1_StatefulSet|~X|my-sts",
    ],
    [
      "loading KV pairs: file sources: [dbpass.txt]: evalsymlink failure on 'a/b/dbpass.txt' : lstat a/b/dbpass.txt: no such file or directory",
      "../../components/external_db: 'dbpass.txt' does not exist (looked for ../../components/external_db/dbpass.txt)",
    ],
    [
      'map[string]interface {}(nil): yaml: unmarshal errors: line 19: mapping key "env" already defined at line 16',
      'resources.yaml:20: malformed YAML: mapping key "env" already defined',
    ],
    [
      'merging from generator &{0x? <nil>}: id resid.ResId{Gvk:resid.Gvk{Group:"", Version:"v1", Kind:"Secret", isClusterScoped:false}, Name:"test", Namespace:""} exists; behavior must be merge or replace',
      "kustomization.yaml: id ~G_v1_Secret|~X|test exists; can not use behavior: 'create', behavior must be merge or replace",
    ],
    ["kustomization.yaml is empty", "Kustomization: kustomization.yaml is empty"],
    ["panic: runtime error: invalid memory address or nil pointer dereference", "images: name \"[\" is not a valid regular expression"],
    // Public corpus (issue 18): image-automation-controller's setters testdata, lws's e2e config.
    ["Found multiple kustomization files under: internal/update/testdata/setters/expected", ".: found multiple kustomization files: kustomization.yml, Kustomization"],
    [
      "nothing selected by Certificate.v1.cert-manager.io/serving-cert.[noNs]:.metadata.namespace",
      "nothing selected by Certificate.v1.cert-manager.io/serving-cert.[noNs]",
    ],
  ])("%s ~ %s", (theirs, ours) => {
    expect(sameCause(theirs, ours).same).toBe(true);
  });

  it("tells apart the two sortOptions validations", () => {
    const cmp = sameCause(
      "the field 'sortOptions.order' must be one of [fifo, legacy]",
      "the field 'sortOptions.legacySortOptions' is set but the selected sort order is 'fifo', not 'legacy'",
    );
    expect(cmp.same).toBe(false);
    expect(cmp.expected).toEqual({ cause: "invalid-field", subject: "sortOptions.order" });
  });

  it("tells apart which patch file is at fault", () => {
    const theirs = 'trouble configuring builtin PatchTransformer with config: ` path: comments-only.yaml `: illegally qualifies as both an SM and JSON patch: [path: "comments-only.yaml"]';
    expect(sameCause(theirs, 'unable to parse SM or JSON patch from [path: "empty.yaml"]').same).toBe(false);
    expect(sameCause(theirs, 'illegally qualifies as both an SM and JSON patch: [path: "whitespace.yaml"]').same).toBe(false);
    expect(sameCause(theirs, 'illegally qualifies as both an SM and JSON patch: [path: "comments-only.yaml"]').same).toBe(true);
  });

  it("an expected error no rule knows never matches", () => {
    expect(errorCause("something entirely new")).toBeUndefined();
    expect(sameCause("something entirely new", "something entirely new").same).toBe(false);
  });

  it("reads resource ids in both spellings", () => {
    expect(resIdSubject("id: Deployment.v1.[noGrp]/proxy.[noNs]")).toBe("Deployment/proxy");
    expect(resIdSubject("id: ~G_v1_Deployment|~X|proxy")).toBe("Deployment/proxy");
    expect(resIdSubject('resource "RoleBinding.v1.rbac.authorization.k8s.io/test.[noNs]"')).toBe("RoleBinding/test");
    expect(resIdSubject("for resource rbac.authorization.k8s.io_v1_RoleBinding|~X|test")).toBe("RoleBinding/test");
  });
});
