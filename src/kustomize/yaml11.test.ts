import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { buildTree, dedent } from "./testing/tree.js";
import { GO_YAML_V2 } from "./yaml11.js";

const read = (text: string): unknown => parse(text, GO_YAML_V2);

describe("YAML 1.1 scalars as go-yaml v2 resolves them (issue 18)", () => {
  it("keeps `.`, `._`, `.e5` and sexagesimal-looking text as strings", () => {
    for (const text of [".", "._", ".e5", "1:20", "+.", "-."]) expect(read(text)).toBe(text);
  });

  it("reads the numbers and booleans go-yaml v2 reads", () => {
    expect(read(".5")).toBe(0.5);
    expect(read("1.")).toBe(1);
    expect(read("1e3")).toBe(1000);
    expect(read("-1.5e-2")).toBe(-0.015);
    expect(read("1_000.5")).toBe(1000.5);
    expect(read("1_000")).toBe(1000);
    expect(read("1_._")).toBe(1); // "1." once the underscores are gone
    expect(read("0755")).toBe(493);
    expect(read(".inf")).toBe(Number.POSITIVE_INFINITY);
    expect(read("yes")).toBe(true);
  });
});

describe("replacements options.delimiter written as a plain `.`", () => {
  it("splices the value into the right piece, as kubectl kustomize does", () => {
    const replacement = (fieldPath: string, index: string) =>
      `- source:\n    fieldPath: ${fieldPath}\n    kind: Service\n    name: webhook-service\n` +
      `  targets:\n  - fieldPaths:\n    - spec.dnsNames.*\n    options:\n      delimiter: .\n${index}` +
      `    select:\n      kind: Certificate\n`;
    const files = {
      "kustomization.yaml":
        "resources:\n- res.yaml\nreplacements:\n" +
        replacement("metadata.name", "") +
        replacement("metadata.namespace", "      index: 1\n"),
      "res.yaml": dedent(`
        apiVersion: v1
        kind: Service
        metadata:
          name: webhook-service
          namespace: ns1
        ---
        apiVersion: cert-manager.io/v1
        kind: Certificate
        metadata:
          name: serving-cert
        spec:
          dnsNames:
          - svc-name.svc-namespace.svc
          - svc-name.svc-namespace.svc.cluster.local
      `),
    };
    expect(buildTree(files)).toContain(
      "  dnsNames:\n  - webhook-service.ns1.svc\n  - webhook-service.ns1.svc.cluster.local\n",
    );
  });
});
