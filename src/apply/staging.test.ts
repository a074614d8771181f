import { describe, expect, it } from "vitest";
import {
  compareObjMetadata,
  isClassDefinition,
  isClusterDefinition,
  kindRank,
  sortForApply,
  sortForPrune,
  splitStages,
} from "./staging.js";
import { obj } from "./test-fixtures.js";
import { objMetadataOf } from "./types.js";

const crd = obj("apiextensions.k8s.io/v1", "CustomResourceDefinition", "widgets.example.com");
const ns = obj("v1", "Namespace", "apps");
const clusterRole = obj("rbac.authorization.k8s.io/v1", "ClusterRole", "reader");
const storageClass = obj("storage.k8s.io/v1", "StorageClass", "fast");
const gatewayClass = obj("gateway.networking.k8s.io/v1", "GatewayClass", "gw");
const deploy = obj("apps/v1", "Deployment", "apps/web");
const svc = obj("v1", "Service", "apps/web");
const cm = obj("v1", "ConfigMap", "apps/cfg");
const widget = obj("example.com/v1", "Widget", "apps/w");
const hook = obj("admissionregistration.k8s.io/v1", "MutatingWebhookConfiguration", "hook");
const ingress = obj("networking.k8s.io/v1", "Ingress", "apps/web");

const names = (xs: { kind: string; metadata: { name?: string } }[]) =>
  xs.map((x) => `${x.kind}/${x.metadata.name}`);

describe("stage predicates", () => {
  it.each([
    [crd, true],
    [ns, true],
    [clusterRole, true],
    [obj("v1beta1", "Namespace", "odd"), false],
    [obj("example.com/v1", "CustomResourceDefinition", "fake"), false],
    [obj("example.com/v1", "ClusterRole", "fake"), false],
    [deploy, false],
  ])("isClusterDefinition(%j) = %s", (o, want) => {
    expect(isClusterDefinition(o)).toBe(want);
  });

  it("treats any *Class kind as a class definition", () => {
    expect([storageClass, gatewayClass, obj("x/v1", "MyClass", "m"), deploy].map(isClassDefinition)).toEqual([
      true,
      true,
      true,
      false,
    ]);
  });
});

describe("splitStages", () => {
  it("puts cluster definitions, classes, custom kinds and the rest in order; waits on the first two", () => {
    const stages = splitStages(
      [deploy, widget, ingress, storageClass, svc, ns, crd, clusterRole, gatewayClass, cm, hook],
      [{ group: "networking.k8s.io", kind: "Ingress" }],
    );
    expect(stages.map((s) => [s.name, s.wait, names(s.objects)])).toEqual([
      [
        "cluster-definitions",
        true,
        ["CustomResourceDefinition/widgets.example.com", "Namespace/apps", "ClusterRole/reader"],
      ],
      ["class-definitions", true, ["StorageClass/fast", "GatewayClass/gw"]],
      ["custom", false, ["Ingress/web"]],
      [
        "resources",
        false,
        ["ConfigMap/cfg", "Service/web", "Deployment/web", "Widget/w", "MutatingWebhookConfiguration/hook"],
      ],
    ]);
  });

  it("omits empty stages", () => {
    expect(splitStages([svc]).map((s) => s.name)).toEqual(["resources"]);
    expect(splitStages([])).toEqual([]);
  });

  it("puts ClusterClass in the class stage (its kind ends in Class)", () => {
    const cc = obj("cluster.x-k8s.io/v1beta1", "ClusterClass", "default/cc");
    expect(splitStages([cc]).map((s) => s.name)).toEqual(["class-definitions"]);
  });
});

describe("kind order", () => {
  it("ranks the known kinds before unknown ones and webhooks last", () => {
    expect(kindRank("CustomResourceDefinition")).toBeLessThan(kindRank("Namespace"));
    expect(kindRank("PodDisruptionBudget")).toBeLessThan(kindRank("Widget"));
    expect(kindRank("Widget")).toBe(0);
    expect(kindRank("MutatingWebhookConfiguration")).toBeLessThan(kindRank("ValidatingWebhookConfiguration"));
    expect(kindRank("ValidatingWebhookConfiguration")).toBeGreaterThan(0);
  });

  it("breaks ties by group, kind, namespace, name", () => {
    const xs = [
      obj("b.example.com/v1", "Thing", "ns/a"),
      obj("a.example.com/v1", "Thing", "ns/z"),
      obj("a.example.com/v1", "Alpha", "ns/a"),
      obj("v1", "ConfigMap", "ns2/b"),
      obj("v1", "ConfigMap", "ns2/a"),
      obj("v1", "ConfigMap", "ns1/z"),
    ];
    expect(
      sortForApply(xs).map((x) => `${x.apiVersion} ${x.kind} ${x.metadata.namespace}/${x.metadata.name}`),
    ).toEqual([
      "v1 ConfigMap ns1/z",
      "v1 ConfigMap ns2/a",
      "v1 ConfigMap ns2/b",
      "a.example.com/v1 Alpha ns/a",
      "a.example.com/v1 Thing ns/z",
      "b.example.com/v1 Thing ns/a",
    ]);
  });

  it("prunes in exactly the reverse of apply order", () => {
    const all = [deploy, widget, svc, ns, crd, clusterRole, cm, hook, storageClass].map(objMetadataOf);
    const applyOrder = [...all].sort(compareObjMetadata);
    expect(sortForPrune(all)).toEqual([...applyOrder].reverse());
    expect(sortForPrune(all)[0]?.kind).toBe("MutatingWebhookConfiguration");
    expect(sortForPrune(all).at(-1)?.kind).toBe("CustomResourceDefinition");
  });
});
