import { describe, expect, it } from "vitest";
import { CelEvaluationError, CelExpression, CelParseError, toCelInput } from "./expression.js";

const obj = {
  apiVersion: "example.com/v1",
  kind: "Widget",
  metadata: { name: "w", generation: 2, labels: { tier: "web" } },
  status: { observedGeneration: 2, replicas: 3, ratio: 0.5, conditions: [{ type: "Ready", status: "True" }] },
};
const evalOn = (source: string, vars: Record<string, unknown> = obj) =>
  CelExpression.compile(source).evaluateBoolean(vars);

describe("CelExpression (issue 15)", () => {
  it("evaluates Flux-style health expressions over an object's top-level fields", () => {
    expect(evalOn("status.conditions.exists(c, c.type == 'Ready' && c.status == 'True')")).toBe(true);
    expect(evalOn("status.observedGeneration == metadata.generation")).toBe(true);
    expect(evalOn("has(status.missing)")).toBe(false);
    expect(evalOn("metadata.labels.tier.upperAscii() == 'WEB'")).toBe(true);
  });

  it("gives JSON integers CEL's int type, as Go's unstructured decoding does", () => {
    expect(toCelInput({ a: 3, b: 0.5 })).toEqual({ a: 3n, b: 0.5 });
    expect(evalOn("status.replicas + 1 == 4 && type(status.replicas) == int")).toBe(true);
    expect(evalOn("type(status.ratio) == double")).toBe(true);
  });

  it("offers Flux's sets and base64 extensions", () => {
    expect(evalOn("sets.contains([1, 2, 3], [3, 1])")).toBe(true);
    expect(evalOn("sets.contains([1, 2], [4])")).toBe(false);
    expect(evalOn("sets.equivalent([1, 2], [2, 1, 1])")).toBe(true);
    expect(evalOn("sets.intersects([1, 2], [2.0])")).toBe(true);
    expect(evalOn("base64.encode(b'ok') == 'b2s=' && base64.decode('b2s=') == b'ok'")).toBe(true);
  });

  it("reports a syntax error with Flux's wording", () => {
    expect(() => CelExpression.compile("status.ready ==")).toThrow(CelParseError);
    expect(() => CelExpression.compile("status.ready ==")).toThrow(
      /^failed to parse the CEL expression 'status\.ready ==': /,
    );
  });

  it("reports a missing field as an evaluation error, and a non-bool result", () => {
    expect(() => evalOn("status.missing == 1")).toThrow(CelEvaluationError);
    expect(() => evalOn("status.missing == 1")).toThrow(
      /^failed to evaluate the CEL expression 'status\.missing == 1': /,
    );
    expect(() => evalOn("status.replicas")).toThrow(
      "failed to evaluate CEL expression as boolean: 'status.replicas'",
    );
  });

  describe("compiled with declared variables and a bool output (readyExpr)", () => {
    const compile = (source: string) =>
      CelExpression.compile(source, { variables: ["self", "dep"], boolOutput: true });

    it("accepts expressions over self and dep that are statically bool", () => {
      for (const ok of [
        "dep.status.conditions.exists(c, c.type == 'Ready')",
        "self.metadata.name == dep.metadata.name",
        "has(dep.status.inventory) && dep.status.conditions.all(c, c.status != 'False')",
        "dep.status.conditions.exists_one(c, c.type == 'Ready') ? true : false",
        "type(dep.metadata.name) == string",
        "dep.metadata.name.startsWith('a') || !(dep.spec.suspend == true)",
        "sets.contains(['a'], [dep.metadata.name])",
      ]) {
        expect(() => compile(ok), ok).not.toThrow();
      }
    });

    it("refuses an undeclared variable, as cel-go's checker does", () => {
      expect(() => compile("other.status.ready == true")).toThrow(
        "failed to parse the CEL expression 'other.status.ready == true': undeclared reference to 'other'",
      );
      expect(() => compile("dep.status.conditions.exists(c, x == 1)")).toThrow("undeclared reference to 'x'");
    });

    it("refuses an expression that is not statically bool", () => {
      expect(() => compile("dep.spec.suspend")).toThrow(
        "CEL expression output type mismatch: expected bool, got dyn",
      );
      expect(() => compile("'yes'")).toThrow("expected bool, got string");
      expect(() => compile("dep.status.conditions.map(c, c.type == 'Ready')")).toThrow(
        "expected bool, got list",
      );
    });
  });
});
