import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { buildSync } from "./build.js";
import { KustomizeError } from "./errors.js";
import { type BuildLimits, UNLIMITED } from "./limits.js";
import { render } from "./output.js";
import { buildTree } from "./testing/tree.js";

const K = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n";
const CM = (name: string): string => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n`;

function buildError(files: Record<string, string>, root = ".", allowedRoot?: string): KustomizeError {
  try {
    buildTree(files, root, allowedRoot === undefined ? {} : { allowedRoot });
  } catch (err) {
    expect(err).toBeInstanceOf(KustomizeError);
    return err as KustomizeError;
  }
  throw new Error("expected the build to fail");
}

function limitError(files: Record<string, string>, limits: BuildLimits): Error {
  try {
    buildTree(files, ".", { limits });
  } catch (err) {
    return err as Error;
  }
  throw new Error("expected the build to fail");
}

/** Issue 5: each error names the file (and the line for YAML), and no partial output is produced. */
describe("kustomize build errors", () => {
  it("malformed YAML names the file and the line", () => {
    const err = buildError({ "kustomization.yaml": K + "resources:\n- bad.yaml\n", "bad.yaml": CM("a") + "data:\n  x: [1, 2\n" });
    expect(err.file).toBe("bad.yaml");
    expect(err.line).toBeGreaterThan(0);
    expect(err.message).toMatch(/^bad\.yaml:\d+: malformed YAML/);
  });

  it("an unknown field in kustomization.yaml is refused", () => {
    const err = buildError({ "kustomization.yaml": K + "resourcez:\n- a.yaml\n" });
    expect(err.message).toBe('kustomization.yaml: invalid Kustomization: json: unknown field "resourcez"');
  });

  it("an unknown field inside a labels entry is refused", () => {
    const err = buildError({ "kustomization.yaml": K + "labels:\n- pairs: {a: b}\n  includeVolumeClaimTemplates: true\n" });
    expect(err.message).toContain('unknown field "includeVolumeClaimTemplates"');
  });

  it("field names match case-insensitively, as Go's JSON decoding does", () => {
    const out = buildTree({ "kustomization.yaml": K + "nameprefix: p-\nresources:\n- a.yaml\n", "a.yaml": CM("a") });
    expect(out).toBe("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: p-a\n");
  });

  it("values of the wrong Go type are refused, with YAML 1.1 booleans (yes/on) counted as booleans", () => {
    const cases: Array<[string, string]> = [
      ["commonLabels: {version: 1}", "cannot unmarshal number into Go struct field Kustomization.commonLabels of type string"],
      ["namespace: yes", "cannot unmarshal bool into Go struct field Kustomization.namespace of type string"],
      ["labels:\n- pairs: {sel: on}", "cannot unmarshal bool into Go struct field Kustomization.labels.pairs of type string"],
      ["images:\n- name: nginx\n  newTag: 1.0", "cannot unmarshal number into Go struct field Kustomization.images.newTag of type string"],
    ];
    for (const [body, message] of cases) {
      const err = buildError({ "kustomization.yaml": K + body + "\n" });
      expect(err.message).toContain(message);
    }
  });

  it("null values mean unset", () => {
    const out = buildTree({ "kustomization.yaml": K + "namePrefix: ~\ncommonAnnotations: {a: }\nresources:\n- a.yaml\n", "a.yaml": CM("a") });
    expect(out).toBe("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  annotations:\n    a: \"\"\n  name: a\n");
  });

  it("two resources with the same id are refused", () => {
    const err = buildError({ "kustomization.yaml": K + "resources:\n- a.yaml\n- b.yaml\n", "a.yaml": CM("same"), "b.yaml": CM("same") });
    expect(err.message).toContain("may not add resource with an already registered id: ~G_v1_ConfigMap|~X|same");
  });

  it("a missing resource file is named", () => {
    const err = buildError({ "kustomization.yaml": K + "resources:\n- nope.yaml\n" });
    expect(err.message).toContain("'nope.yaml' does not exist");
  });

  it("a directory without a kustomization file is named", () => {
    const err = buildError({ "kustomization.yaml": K + "resources:\n- base\n", "base/a.yaml": CM("a") });
    expect(err.message).toContain("unable to find one of 'kustomization.yaml'");
    expect(err.message).toContain("'base'");
  });

  it("a cycle between bases is refused", () => {
    const err = buildError(
      { "a/kustomization.yaml": K + "resources:\n- ../b\n", "b/kustomization.yaml": K + "resources:\n- ../a\n" },
      "a",
    );
    expect(err.message).toMatch(/cycle detected/);
  });

  it("a base at or above the kustomization is a cycle", () => {
    const err = buildError({ "app/kustomization.yaml": K + "resources:\n- ..\n", "kustomization.yaml": K }, "app");
    expect(err.message).toMatch(/cycle detected/);
  });

  it("a base at or above the kustomization is a cycle with an allowed root too", () => {
    const err = buildError({ "app/kustomization.yaml": K + "resources:\n- ..\n", "kustomization.yaml": K }, "app", ".");
    expect(err.message).toMatch(/cycle detected/);
  });

  it("files outside the kustomization directory are refused by default (LoadRestrictionsRootOnly)", () => {
    const err = buildError({ "app/kustomization.yaml": K + "resources:\n- ../shared.yaml\n", "shared.yaml": CM("s") }, "app");
    expect(err.message).toContain("security; file");
  });

  it("with an allowed root (Flux), files outside the directory but inside the root are read", () => {
    const out = buildTree({ "app/kustomization.yaml": K + "resources:\n- ../shared.yaml\n", "shared.yaml": CM("s") }, "app", {
      allowedRoot: ".",
    });
    expect(out).toBe("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: s\n");
  });

  it("with an allowed root, bases outside it are refused", () => {
    const err = buildError({ "root/kustomization.yaml": K + "resources:\n- ../base\n", "base/kustomization.yaml": K }, "root", "root");
    expect(err.message).toContain("security; file");
  });

  it("absolute paths and symlinks that escape the root are refused", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "mooring-kustomize-"));
    try {
      mkdirSync(path.join(dir, "app"));
      writeFileSync(path.join(dir, "secret.yaml"), CM("secret"));
      symlinkSync(path.join(dir, "secret.yaml"), path.join(dir, "app", "link.yaml"));
      writeFileSync(path.join(dir, "app", "kustomization.yaml"), K + "resources:\n- link.yaml\n");
      expect(() => buildSync(path.join(dir, "app"))).toThrow(/security; file/);
      writeFileSync(path.join(dir, "app", "kustomization.yaml"), K + `resources:\n- ${path.join(dir, "secret.yaml")}\n`);
      expect(() => buildSync(path.join(dir, "app"))).toThrow(/security; file/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("remote bases are refused with a clear error", () => {
    const err = buildError({ "kustomization.yaml": K + "resources:\n- https://github.com/org/repo//deploy?ref=v1\n" });
    expect(err.message).toContain("remote bases are not supported: 'https://github.com/org/repo//deploy?ref=v1'");
  });

  it("every form of remote base is refused as remote, not looked up as a missing file (issue 14)", () => {
    for (const ref of [
      "git::https://example.com/org/repo.git//app?ref=v1",
      "github.com/org/repo//app?ref=v1",
      "git@github.com:org/repo.git//app",
      "ssh://git@example.com/org/repo.git",
      "s3::https://bucket.s3.amazonaws.com/app",
    ]) {
      const err = buildError({ "kustomization.yaml": K + `resources:\n- ${ref}\n` });
      expect(err.message).toContain(`remote bases are not supported: '${ref}'`);
      expect(err.message).not.toContain("looked for");
    }
  });

  it("input limits: per-file size, total bytes and objects fail with the size and the limit (issue 14)", () => {
    const cm = (n: number): string => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c${n}\n`;
    const big = `${cm(1)}data:\n  k: ${"x".repeat(200)}\n`;
    const files = { "kustomization.yaml": K + "resources: [a.yaml, b.yaml]\n", "a.yaml": big, "b.yaml": cm(2) };
    const limits = (l: Partial<BuildLimits>): BuildLimits => ({ ...UNLIMITED, ...l });
    expect(limitError(files, limits({ maxFileBytes: 150 })).message).toMatch(
      /^a\.yaml: file is \d+ bytes, over the 150 bytes limit per file \(controller flag --build-max-file-bytes\)/,
    );
    expect(limitError(files, limits({ maxTotalBytes: 360 })).message).toMatch(
      /^b\.yaml: the build has read \d+ bytes, over the 360 bytes limit per build/,
    );
    expect(limitError(files, limits({ maxObjects: 1 })).message).toBe(
      "b.yaml: the build has more than 1 objects, the limit per build (controller flag --build-max-objects): split the Kustomization",
    );
  });

  it("features kubectl refuses by default are refused: helm charts, validators, unknown OpenAPI versions", () => {
    expect(buildError({ "kustomization.yaml": K + "helmCharts:\n- name: x\n" }).message).toContain("--enable-helm");
    expect(buildError({ "kustomization.yaml": K + "validators:\n- v.yaml\n" }).message).toContain("plugins");
    expect(buildError({ "kustomization.yaml": K + "openapi:\n  version: v1.99.0\n" }).message).toContain("not built in");
  });

  it("a generator merge without a base object fails", () => {
    const err = buildError({ "kustomization.yaml": K + "configMapGenerator:\n- name: x\n  behavior: merge\n  literals: [a=b]\n" });
    expect(err.message).toContain("does not exist; cannot merge or replace");
  });

  it("a successful build renders every resource", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "mooring-kustomize-"));
    try {
      writeFileSync(path.join(dir, "kustomization.yaml"), K + "resources:\n- a.yaml\n");
      writeFileSync(path.join(dir, "a.yaml"), CM("a") + "---\n" + CM("b"));
      expect(render(buildSync(dir))).toBe(CM("a") + "---\n" + CM("b"));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
