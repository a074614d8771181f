import { describe, expect, it } from "vitest";
import { allowedAliasRatio, excessiveAliasing } from "./aliases.js";
import { render } from "./output.js";
import { parseResources } from "./parse.js";
import { aliasBomb } from "../../test/support/hostile-yaml.js";

describe("alias expansion within go-yaml's budget (issue 14)", () => {
  it("expands aliases and merge keys into independent copies", () => {
    const [r] = parseResources(
      `apiVersion: v1
kind: ConfigMap
metadata:
  name: x
  labels: &l {a: "1"}
  annotations:
    <<: *l
    b: "2"
data: {k: v}
`,
      "cm.yaml",
    );
    expect(render([r!])).toContain('annotations:\n    a: "1"\n    b: "2"\n  labels:\n    a: "1"');
  });

  it("refuses a 420-byte billion-laughs bomb at once, naming the file", () => {
    // Refused by counting before copying: it stands for 9^9 strings, some gigabytes.
    expect(() => parseResources(aliasBomb(9), "app/bomb.yaml")).toThrow(
      /^app\/bomb\.yaml: document contains excessive aliasing/,
    );
  });

  it("refuses an alias inside the node its anchor names", () => {
    expect(() =>
      parseResources("apiVersion: v1\nkind: ConfigMap\nmetadata: &m\n  name: x\n  self: *m\n", "loop.yaml"),
    ).toThrow(/anchor 'm' value contains itself/);
  });

  it("allows what go-yaml allows: a hundred aliases to a small anchor", () => {
    const refs = Array.from({ length: 100 }, (_, i) => `  k${i}: *v`).join("\n");
    const [r] = parseResources(`apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  v: &v value\n${refs}\n`, "many.yaml");
    expect(render([r!]).match(/: value/g)).toHaveLength(101);
  });

  it("follows go-yaml's ratio: 99 % up to 400,000 decodes, 10 % from 4,000,000, linear between", () => {
    expect(allowedAliasRatio(1_000)).toBe(0.99);
    expect(allowedAliasRatio(400_000)).toBe(0.99);
    expect(allowedAliasRatio(2_200_000)).toBeCloseTo(0.545, 6);
    expect(allowedAliasRatio(4_000_000)).toBe(0.1);
    expect(excessiveAliasing(1_000, 999)).toBe(false); // not more than 1000 decodes yet
    expect(excessiveAliasing(5_000, 100)).toBe(false); // not more than 100 aliased
    expect(excessiveAliasing(5_000, 4_996)).toBe(true);
  });
});
