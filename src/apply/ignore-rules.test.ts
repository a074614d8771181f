import { describe, expect, it } from "vitest";
import { applyDriftedPaths, driftedPaths } from "./drifted-paths.js";
import { compileIgnoreRules, IgnoreRuleError, ignorePathsFor } from "./ignore-rules.js";
import type { KubeObject } from "./types.js";

const deploy = (
  name: string,
  labels: Record<string, string> = {},
  extra: Record<string, unknown> = {},
): KubeObject => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name, namespace: "apps", labels },
  spec: { replicas: 1 },
  ...extra,
});

describe("ignorePathsFor", () => {
  const rules = compileIgnoreRules([
    { paths: ["/spec/replicas"], target: { kind: "Deployment", labelSelector: "autoscaled=true" } },
    { paths: ["/metadata/annotations/x"] },
    { paths: ["/data"], target: { group: "", kind: "Config.*", name: "cfg-.*", namespace: "apps" } },
    { paths: ["/spec/template"], target: { group: "apps", version: "v1beta.*" } },
    { paths: ["/spec/foo"], target: { annotationSelector: "ignore in (yes)" } },
  ]);

  it.each<[string, KubeObject, string[]]>([
    [
      "label-selected deployment",
      deploy("web", { autoscaled: "true" }),
      ["/spec/replicas", "/metadata/annotations/x"],
    ],
    ["deployment without the label", deploy("web"), ["/metadata/annotations/x"]],
    [
      "regexes are anchored",
      { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "cfg-a", namespace: "apps" } },
      ["/metadata/annotations/x", "/data"],
    ],
    [
      "name regex must match whole name",
      { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "my-cfg-a", namespace: "apps" } },
      ["/metadata/annotations/x"],
    ],
    [
      "version regex",
      { ...deploy("old"), apiVersion: "apps/v1beta2" },
      ["/metadata/annotations/x", "/spec/template"],
    ],
    [
      "annotation selector",
      { ...deploy("a"), metadata: { name: "a", annotations: { ignore: "yes" } } },
      ["/metadata/annotations/x", "/spec/foo"],
    ],
  ])("%s", (_name, obj, want) => {
    expect(ignorePathsFor(rules, obj)).toEqual(want);
  });

  it.each([
    [{ paths: [], target: { name: "([" } }, "invalid name regex"],
    [{ paths: [], target: { labelSelector: "a in b" } }, "invalid label selector"],
  ])("rejects bad rules", (rule, message) => {
    expect(() => compileIgnoreRules([rule])).toThrow(IgnoreRuleError);
    expect(() => compileIgnoreRules([rule])).toThrow(message);
  });
});

describe("driftedPaths / applyDriftedPaths", () => {
  const withManagers = (replicas: number, managers: unknown[]): KubeObject => ({
    ...deploy("web"),
    metadata: { name: "web", namespace: "apps", managedFields: managers as never },
    spec: {
      replicas,
      template: {
        spec: {
          containers: [
            { name: "app", image: "v2" },
            { name: "side", image: "s1" },
          ],
        },
      },
    },
  });
  const dryRun: KubeObject = {
    ...deploy("web"),
    spec: {
      replicas: 1,
      template: {
        spec: {
          containers: [
            { name: "app", image: "v1" },
            { name: "side", image: "s1" },
          ],
        },
      },
    },
  };
  const hpaOwns = {
    manager: "hpa-controller",
    operation: "Apply",
    fieldsV1: { "f:spec": { "f:replicas": {} } },
  };
  const fluxOwns = {
    manager: "kustomize-controller",
    operation: "Apply",
    fieldsV1: {
      "f:spec": {
        "f:replicas": {},
        "f:template": { "f:spec": { "f:containers": { 'k:{"name":"app"}': { "f:image": {} } } } },
      },
    },
  };
  const otherOwnsImage = {
    manager: "image-updater",
    operation: "Apply",
    fieldsV1: {
      "f:spec": { "f:template": { "f:spec": { "f:containers": { 'k:{"name":"app"}': { "f:image": {} } } } } },
    },
  };

  it("strips a drifted path another apply manager owns", () => {
    const live = withManagers(5, [hpaOwns, fluxOwns]);
    expect(driftedPaths(live, dryRun, ["/spec/replicas"], "kustomize-controller")).toEqual([
      { path: "/spec/replicas", action: "strip" },
    ]);
  });

  it("adopts the live value when only Flux applies it", () => {
    const live = withManagers(5, [fluxOwns, { ...hpaOwns, operation: "Update" }]);
    expect(driftedPaths(live, dryRun, ["/spec/replicas"], "kustomize-controller")).toEqual([
      { path: "/spec/replicas", action: "adopt", value: 5 },
    ]);
  });

  it("resolves list items through their merge keys", () => {
    const live = withManagers(1, [fluxOwns, otherOwnsImage]);
    expect(
      driftedPaths(live, dryRun, ["/spec/template/spec/containers/0/image"], "kustomize-controller"),
    ).toEqual([{ path: "/spec/template/spec/containers/0/image", action: "strip" }]);
  });

  it("skips paths that did not drift", () => {
    const live = withManagers(1, [hpaOwns]);
    expect(
      driftedPaths(
        live,
        dryRun,
        ["/spec/replicas", "/spec/template/spec/containers/1/image", "/nope"],
        "kustomize-controller",
      ),
    ).toEqual([]);
  });

  it("rewrites the payload: strip removes, adopt copies the live value", () => {
    const out = applyDriftedPaths(dryRun, [
      { path: "/spec/replicas", action: "adopt", value: 5 },
      { path: "/spec/template/spec/containers/0/image", action: "strip" },
    ]);
    expect(out.spec).toEqual({
      replicas: 5,
      template: { spec: { containers: [{ name: "app" }, { name: "side", image: "s1" }] } },
    });
    expect(dryRun.spec).toMatchObject({ replicas: 1 });
  });

  it("strips an adopted path that is absent live", () => {
    const out = applyDriftedPaths(dryRun, [{ path: "/spec/replicas", action: "adopt", value: undefined }]);
    expect(out.spec).not.toHaveProperty("replicas");
  });
});
