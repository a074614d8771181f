import { describe, expect, it } from "vitest";
import type { KubeObject } from "../util/kube-object.js";
import { isSubstitutionDisabled, SubstitutionError, substituteResources } from "./substitute.js";

const configMap = (
  data: Record<string, unknown>,
  meta: Partial<KubeObject["metadata"]> = {},
): KubeObject => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name: "cm", namespace: "apps", ...meta },
  data,
});

const deployment = (replicas: unknown): KubeObject => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "web", namespace: "apps" },
  spec: { replicas },
});

describe("substituteResources", () => {
  it("returns the resources untouched without postBuild", () => {
    const res = [configMap({ a: "${x}" })];
    expect(substituteResources(res, undefined)).toEqual(res);
  });

  it("substitutes inline variables in every string", () => {
    const [out] = substituteResources(
      [configMap({ a: "${x}", b: "pre-${x}-post" }, { labels: { env: "${x}" } })],
      {
        substitute: { x: "prod" },
      },
    );
    expect(out).toEqual(configMap({ a: "prod", b: "pre-prod-post" }, { labels: { env: "prod" } }));
  });

  it("re-parses the text so unquoted values change type (as in Flux)", () => {
    const [out] = substituteResources([deployment("${replicas}")], { substitute: { replicas: "3" } });
    expect(out?.spec).toEqual({ replicas: 3 });
    const [b] = substituteResources([configMap({ on: "${flag}" })], { substitute: { flag: "yes" } });
    expect(b?.data).toEqual({ on: true });
  });

  it("keeps numeric-looking strings strings when they were strings already", () => {
    const [out] = substituteResources([configMap({ port: "8080", v: "${x}" })], { substitute: { x: "1" } });
    expect(out?.data).toEqual({ port: "8080", v: 1 });
  });

  it("keeps the docs' quote trick working: ${quote}${id}${quote} stays a string", () => {
    const [out] = substituteResources([configMap({ id: "${quote}${id}${quote}" })], {
      substitute: { quote: '"', id: "12345" },
    });
    expect(out?.data).toEqual({ id: "12345" });
  });

  it("leaves ${x:=default} literal when there are no variables (WithVariables)", () => {
    const res = [configMap({ a: "${x:=default}" })];
    expect(substituteResources(res, { substitute: {} })).toEqual(res);
    expect(substituteResources(res, { substituteStrategy: "WithVariables" })).toEqual(res);
  });

  it("substitutes defaults with zero variables when the strategy is Always", () => {
    const [out] = substituteResources([configMap({ a: "${x:=default}" })], { substituteStrategy: "Always" });
    expect(out?.data).toEqual({ a: "default" });
  });

  it.each([
    ["label", { labels: { "kustomize.toolkit.fluxcd.io/substitute": "disabled" } }],
    ["annotation", { annotations: { "kustomize.toolkit.fluxcd.io/substitute": "disabled" } }],
  ])("skips a resource opted out by %s", (_kind, meta) => {
    const res = configMap({ script: "echo ${HOME} ${undefined_in_strict}" }, meta);
    expect(isSubstitutionDisabled(res)).toBe(true);
    expect(substituteResources([res], { substitute: { x: "1" } })).toEqual([res]);
  });

  it("matches the opt-out value exactly (Flux compares case-sensitively)", () => {
    const res = configMap({}, { annotations: { "kustomize.toolkit.fluxcd.io/substitute": "Disabled" } });
    expect(isSubstitutionDisabled(res)).toBe(false);
  });

  it("fails in strict mode naming the variable and the object", () => {
    const run = () => substituteResources([configMap({ a: "${missing}" })], { substitute: { x: "1" } });
    expect(run).toThrow(SubstitutionError);
    expect(run).toThrow(
      `post build failed for 'ConfigMap/apps/cm': variable substitution failed: variable not set (strict mode): "missing"`,
    );
  });

  it("expands undefined variables to empty when strict mode is off", () => {
    const [out] = substituteResources(
      [configMap({ a: "[${missing}]" })],
      { substitute: { x: "1" } },
      { strict: false },
    );
    expect(out?.data).toEqual({ a: "[]" });
  });

  it("names a cluster-scoped object without a namespace", () => {
    const ns: KubeObject = { apiVersion: "v1", kind: "Namespace", metadata: { name: "${bad" } };
    expect(() => substituteResources([ns], { substitute: { x: "1" } })).toThrow(
      "post build failed for 'Namespace/${bad': variable substitution failed: missing closing brace",
    );
  });

  it("rejects invalid variable names only when substitution runs", () => {
    const res = configMap({ a: "${x}" });
    expect(() => substituteResources([res], { substitute: { "bad-name": "1" } })).toThrow(
      "post build failed for 'ConfigMap/apps/cm': 'bad-name' var name is invalid",
    );
  });

  it("merges substituteFrom then substitute", () => {
    const [out] = substituteResources([configMap({ a: "${a}", b: "${b}" })], {
      substituteFrom: [{ ref: { kind: "ConfigMap", name: "vars" }, data: { a: "cm", b: "cm" } }],
      substitute: { b: "inline" },
    });
    expect(out?.data).toEqual({ a: "cm", b: "inline" });
  });

  it("fails on a missing required substituteFrom only if a resource needs substitution", () => {
    const postBuild = {
      substituteFrom: [{ ref: { kind: "Secret" as const, name: "gone" }, data: undefined }],
    };
    const optedOut = configMap({}, { labels: { "kustomize.toolkit.fluxcd.io/substitute": "disabled" } });
    expect(substituteResources([optedOut], postBuild)).toEqual([optedOut]);
    expect(() => substituteResources([configMap({})], postBuild)).toThrow(
      `post build failed for 'ConfigMap/apps/cm': substitute from 'Secret/gone' error: secrets "gone" not found`,
    );
  });

  it("keeps $$ escapes and bare $var in embedded scripts", () => {
    const [out] = substituteResources([configMap({ sh: "echo $HOME $${literal} ${x}" })], {
      substitute: { x: "1" },
    });
    expect(out?.data).toEqual({ sh: "echo $HOME ${literal} 1" });
  });

  it("handles multi-line strings and values that need quoting", () => {
    const [out] = substituteResources(
      [configMap({ script: "line1 ${x}\nline2", colon: "${k}: ${v}", empty: "" })],
      { substitute: { x: "a", k: "key", v: "value" } },
    );
    expect(out?.data).toEqual({ script: "line1 a\nline2", colon: "key: value", empty: "" });
  });

  it("never puts substituted values (maybe from a Secret) into the error", () => {
    const run = () =>
      substituteResources([configMap({ a: "x ${token}" })], {
        substituteFrom: [
          {
            ref: { kind: "Secret", name: "creds" },
            data: { token: Buffer.from("hunter2: [").toString("base64") },
          },
        ],
      });
    expect(run).toThrow(/YAML parse after substitution failed: .* at line \d+, column \d+$/);
    let message = "";
    try {
      run();
    } catch (e) {
      message = String(e);
      expect((e as Error).cause).toBeUndefined();
    }
    expect(message).not.toContain("hunter2");
  });

  it("fails with a YAML error when a value breaks the document", () => {
    const run = () => substituteResources([configMap({ a: "${x}" })], { substitute: { x: "[unclosed" } });
    expect(run).toThrow(
      /^post build failed for 'ConfigMap\/apps\/cm': YAML parse after substitution failed: /,
    );
  });

  it("keeps date-like and h:m values as strings after re-parse", () => {
    const [out] = substituteResources([configMap({ d: "${d}", t: "${t}" })], {
      substitute: { d: "2024-01-02", t: "1:30" },
    });
    expect(out?.data).toEqual({ d: "2024-01-02", t: "1:30" });
  });
});

describe("substituteResources: fast path", () => {
  it("returns objects without expressions untouched (same reference, no YAML round trip)", () => {
    const plain = configMap({ a: "no vars here", price: "$5" });
    const [out] = substituteResources([plain], { substitute: { x: "1" } });
    expect(out).toBe(plain);
  });

  it("still unescapes $$ when that is the only dollar construct", () => {
    const [out] = substituteResources([configMap({ a: "cost $$5" })], { substitute: { x: "1" } });
    expect(out?.data).toEqual({ a: "cost $5" });
  });
});

describe("substituteResources: quoting follows Flux's YAML (expected values from Flux's pipeline)", () => {
  const vars = { w: "C:\\temp", q: "it's", c: "a: b", n: "42", x: "X" };
  it.each<[string, string, unknown]>([
    ["plain scalar keeps backslashes", "${w}", "C:\\temp"],
    ["single-quoted (contains ': ') keeps backslashes", "path: ${w}", "path: C:\\temp"],
    ["double-quoted (contains a tab) turns \\t into a tab", "\t${w}", "\tC:\temp"],
    ["leading quote", "'${x}' quoted", "'X' quoted"],
    ["flow indicator", "[${x}]", "[X]"],
    ["inner quotes stay plain", "echo '${x}'", "echo 'X'"],
    ["apostrophe in the value", "${q} fine", "it's fine"],
    ["leading dash", "- ${x}", "- X"],
    ["' #' is not a comment", "${x} #not a comment", "X #not a comment"],
    ["number", "${n}", 42],
    ["quoted number stays a string", "'${n}'", "'42'"],
    ["prefixed number", "v${n}", "v42"],
  ])("%s", (_name, value, want) => {
    const [out] = substituteResources([configMap({ v: value })], { substitute: vars });
    expect(out?.data).toEqual({ v: want });
  });

  it("fails like Flux when a value turns a plain scalar into a mapping", () => {
    expect(() => substituteResources([configMap({ v: "${c}" })], { substitute: vars })).toThrow(
      /YAML parse after substitution failed/,
    );
  });
});
