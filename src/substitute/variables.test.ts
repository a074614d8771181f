import { describe, expect, it } from "vitest";
import { mergeVariables, SubstituteVariablesError, validateVariableNames } from "./variables.js";

const b64 = (s: string) => Buffer.from(s).toString("base64");

describe("mergeVariables", () => {
  it("merges sources in list order, then inline values win", () => {
    const vars = mergeVariables(
      [
        { ref: { kind: "ConfigMap", name: "a" }, data: { x: "from-a", y: "from-a" } },
        { ref: { kind: "Secret", name: "b" }, data: { y: b64("from-b"), z: b64("secret") } },
      ],
      { z: "inline" },
    );
    expect(Object.fromEntries(vars)).toEqual({ x: "from-a", y: "from-b", z: "inline" });
  });

  it("decodes Secret data and strips newlines from every value", () => {
    const vars = mergeVariables(
      [
        { ref: { kind: "Secret", name: "s" }, data: { cert: b64("line1\nline2\n") } },
        { ref: { kind: "ConfigMap", name: "c" }, data: { text: "a\nb" } },
      ],
      { inline: "x\ny\r\n" },
    );
    expect(Object.fromEntries(vars)).toEqual({ cert: "line1line2", text: "ab", inline: "xy\r" });
  });

  it("skips a missing optional source", () => {
    const vars = mergeVariables(
      [{ ref: { kind: "ConfigMap", name: "gone", optional: true }, data: undefined }],
      {},
    );
    expect(vars.size).toBe(0);
  });

  it.each([
    ["ConfigMap", `substitute from 'ConfigMap/gone' error: configmaps "gone" not found`],
    ["Secret", `substitute from 'Secret/gone' error: secrets "gone" not found`],
  ] as const)("fails on a missing required %s", (kind, message) => {
    const run = () => mergeVariables([{ ref: { kind, name: "gone" }, data: undefined }], undefined);
    expect(run).toThrow(SubstituteVariablesError);
    expect(run).toThrow(message);
  });

  it("treats an empty data map as found with no variables", () => {
    expect(mergeVariables([{ ref: { kind: "ConfigMap", name: "empty" }, data: {} }], undefined).size).toBe(0);
  });
});

describe("validateVariableNames", () => {
  it.each(["a", "_", "_a1", "CLUSTER_NAME", "x9"])("accepts %j", (name) => {
    expect(() => validateVariableNames(new Map([[name, "v"]]))).not.toThrow();
  });

  it.each(["1a", "a-b", "a.b", "", "é", "a b"])("rejects %j", (name) => {
    const run = () => validateVariableNames(new Map([[name, "v"]]));
    expect(run).toThrow(SubstituteVariablesError);
    expect(run).toThrow(`'${name}' var name is invalid, must match '^[_[:alpha:]][_[:alpha:][:digit:]]*$'`);
  });
});
