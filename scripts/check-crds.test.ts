import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { schemaDiff, withoutDescriptions } from "./check-crds.js";

const flux = parse(`
metadata:
  name: things.example.com
  annotations:
    controller-gen.kubebuilder.io/version: v0.21.0
    kustomize.toolkit.fluxcd.io/substitute: disabled
spec:
  properties:
    interval:
      description: Flux's words.
      type: string
      pattern: ^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$
    kind:
      type: string
      enum: [A, B]
`);

describe("schemaDiff", () => {
  it("ignores descriptions, labels and the controller-gen version", () => {
    const ours = parse(`
metadata:
  name: things.example.com
  labels: {app.kubernetes.io/part-of: mooring}
  annotations:
    kustomize.toolkit.fluxcd.io/substitute: disabled
spec:
  properties:
    interval:
      description: Our words.
      type: string
      pattern: ^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$
    kind:
      type: string
      enum: [A, B]
`);
    expect(schemaDiff(withoutDescriptions(flux), withoutDescriptions(ours))).toEqual([]);
  });

  it("reports missing fields, changed patterns and enum values by path", () => {
    const ours = parse(`
metadata:
  name: things.example.com
  annotations: {}
spec:
  properties:
    interval:
      type: string
      pattern: ^.*$
    kind:
      type: string
      enum: [A]
    extra:
      type: boolean
`);
    expect(schemaDiff(withoutDescriptions(flux), withoutDescriptions(ours))).toEqual([
      '/metadata/annotations/kustomize.toolkit.fluxcd.io/substitute: missing in ours (Flux has "disabled")',
      '/spec/properties/extra: only in ours ({"type":"boolean"})',
      '/spec/properties/interval/pattern: Flux "^([0-9]+(\\\\.[0-9]+)?(ms|s|m|h))+$", ours "^.*$"',
      '/spec/properties/kind/enum: Flux ["A","B"], ours ["A"]',
    ]);
  });
});
