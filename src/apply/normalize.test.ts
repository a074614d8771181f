import { describe, expect, it } from "vitest";
import { OWNER_NAME_LABEL, OWNER_NAMESPACE_LABEL } from "../api/constants.js";
import { isValidCABundle, normalizeObject, prepareForApply } from "./normalize.js";
import { obj } from "./test-fixtures.js";

const podSpec = () => ({
  containers: [{ name: "app", ports: [{ containerPort: 80 }, { containerPort: 53, protocol: "UDP" }] }],
  initContainers: [{ name: "init", ports: [{ containerPort: 81 }] }],
});
const tcpPodSpec = () => ({
  containers: [
    {
      name: "app",
      ports: [
        { containerPort: 80, protocol: "TCP" },
        { containerPort: 53, protocol: "UDP" },
      ],
    },
  ],
  initContainers: [{ name: "init", ports: [{ containerPort: 81 }] }],
});

describe("normalizeObject: port protocols", () => {
  it.each([
    ["v1", "Pod", (s: unknown) => ({ spec: s }), (o: any): unknown => o.spec],
    [
      "apps/v1",
      "Deployment",
      (s: unknown) => ({ spec: { template: { spec: s } } }),
      (o: any): unknown => o.spec.template.spec,
    ],
    [
      "apps/v1",
      "StatefulSet",
      (s: unknown) => ({ spec: { template: { spec: s } } }),
      (o: any): unknown => o.spec.template.spec,
    ],
    [
      "apps/v1",
      "DaemonSet",
      (s: unknown) => ({ spec: { template: { spec: s } } }),
      (o: any): unknown => o.spec.template.spec,
    ],
    [
      "apps/v1",
      "ReplicaSet",
      (s: unknown) => ({ spec: { template: { spec: s } } }),
      (o: any): unknown => o.spec.template.spec,
    ],
    [
      "batch/v1",
      "Job",
      (s: unknown) => ({ spec: { template: { spec: s } } }),
      (o: any): unknown => o.spec.template.spec,
    ],
    [
      "batch/v1",
      "CronJob",
      (s: unknown) => ({ spec: { jobTemplate: { spec: { template: { spec: s } } } } }),
      (o: any): unknown => o.spec.jobTemplate.spec.template.spec,
    ],
  ])("defaults %s %s container ports to TCP (containers only, like Flux)", (apiVersion, kind, wrap, get) => {
    const out = normalizeObject(obj(apiVersion, kind, "ns/x", wrap(podSpec())));
    expect(get(out)).toEqual(tcpPodSpec());
  });

  it("defaults Service ports", () => {
    const out = normalizeObject(
      obj("v1", "Service", "ns/s", { spec: { ports: [{ port: 80 }, { port: 53, protocol: "UDP" }] } }),
    );
    expect(out.spec).toEqual({
      ports: [
        { port: 80, protocol: "TCP" },
        { port: 53, protocol: "UDP" },
      ],
    });
  });

  it("leaves unknown versions and kinds alone", () => {
    const input = obj("example.com/v1", "Deployment", "ns/x", { spec: { template: { spec: podSpec() } } });
    expect(normalizeObject(input)).toEqual(input);
  });

  it("does not modify its input", () => {
    const input = obj("v1", "Service", "ns/s", { spec: { ports: [{ port: 80 }] } });
    normalizeObject(input);
    expect(input.spec).toEqual({ ports: [{ port: 80 }] });
  });
});

describe("normalizeObject: Secret, status, creationTimestamp", () => {
  it("moves stringData into base64 data, overriding data keys", () => {
    const out = normalizeObject(
      obj("v1", "Secret", "ns/s", {
        data: { a: "b2xk", keep: "a2VlcA==" },
        stringData: { a: "new", b: "ü" },
      }),
    );
    expect(out.data).toEqual({ a: "bmV3", keep: "a2VlcA==", b: Buffer.from("ü").toString("base64") });
    expect(out.stringData).toBeUndefined();
  });

  it("drops empty stringData", () => {
    const out = normalizeObject(obj("v1", "Secret", "ns/s", { stringData: {} }));
    expect(out).toEqual(obj("v1", "Secret", "ns/s"));
  });

  it("drops status and creationTimestamp, keeps status on CRDs", () => {
    const dep = obj("apps/v1", "Deployment", "ns/d", { status: { replicas: 1 } });
    dep.metadata.creationTimestamp = null;
    expect(normalizeObject(dep)).toEqual(obj("apps/v1", "Deployment", "ns/d"));
    const crd = obj("apiextensions.k8s.io/v1", "CustomResourceDefinition", "w.example.com", {
      status: { conditions: [] },
    });
    expect(normalizeObject(crd).status).toEqual({ conditions: [] });
  });
});

describe("CRD conversion caBundle", () => {
  // A self-signed test certificate (CN=test), generated once with openssl.
  const pem = `-----BEGIN CERTIFICATE-----
MIIBczCCARmgAwIBAgIUYWZ2GjyvRSjHLXxFtP/rMXLq1sYwCgYIKoZIzj0EAwIw
DzENMAsGA1UEAwwEdGVzdDAeFw0yNjExMjMwOTEyMTNaFw0zNjExMjAwOTEyMTNa
MA8xDTALBgNVBAMMBHRlc3QwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAAQYRVH2
8B0HQ+7aohD7b7UerXhvJDO7LxLoLG3fxgaEb1Bqd2YbM6xikG1TaQY4chrycwmP
oBvhwi5fFPkLPofbo1MwUTAdBgNVHQ4EFgQU53QJ0/gd+Xs5MIQ4x3P1tU6DyG8w
HwYDVR0jBBgwFoAU53QJ0/gd+Xs5MIQ4x3P1tU6DyG8wDwYDVR0TAQH/BAUwAwEB
/zAKBggqhkjOPQQDAgNIADBFAiEAvmamAGgwJWwkzO03BZjughw5W5YrUb91JXzo
2t5FGxICIGVRujN2gfYY11yzjDqJhtr8n1qH3QXHNMmPjdLxVPTw
-----END CERTIFICATE-----`;
  const crd = (caBundle: string) =>
    obj("apiextensions.k8s.io/v1", "CustomResourceDefinition", "w.example.com", {
      spec: {
        conversion: { strategy: "Webhook", webhook: { clientConfig: { caBundle, url: "https://x" } } },
      },
    });
  const clientConfig = (o: any): Record<string, unknown> =>
    o.spec.conversion.webhook.clientConfig as Record<string, unknown>;

  it.each([
    ["not base64", "not base64!"],
    ["base64 without a certificate", Buffer.from("hello").toString("base64")],
    [
      "a truncated certificate",
      Buffer.from(pem.slice(0, 200) + "\n-----END CERTIFICATE-----").toString("base64"),
    ],
  ])("removes a caBundle that is %s", (_what, bad) => {
    expect(isValidCABundle(bad)).toBe(false);
    expect(clientConfig(normalizeObject(crd(bad)))).toEqual({ url: "https://x" });
  });

  it("keeps a valid bundle and an empty one", () => {
    const good = Buffer.from(pem + "\n").toString("base64");
    expect(isValidCABundle(good)).toBe(true);
    expect(clientConfig(normalizeObject(crd(good))).caBundle).toBe(good);
    expect(clientConfig(normalizeObject(crd(""))).caBundle).toBe("");
  });

  it("only touches CRDs", () => {
    const other = obj("example.com/v1", "Thing", "t", {
      spec: { conversion: { webhook: { clientConfig: { caBundle: "bad!" } } } },
    });
    expect(normalizeObject(other)).toEqual(other);
  });
});

describe("prepareForApply", () => {
  it("adds owner labels, normalises, then lets commonMetadata override", () => {
    const [out] = prepareForApply([obj("v1", "ConfigMap", "ns/c", { status: {} })], {
      owner: { name: "apps", namespace: "flux-system" },
      commonMetadata: { labels: { team: "a", [OWNER_NAME_LABEL]: "override" }, annotations: { note: "x" } },
    });
    expect(out).toEqual({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: {
        name: "c",
        namespace: "ns",
        labels: { [OWNER_NAME_LABEL]: "override", [OWNER_NAMESPACE_LABEL]: "flux-system", team: "a" },
        annotations: { note: "x" },
      },
    });
  });

  it("overwrites owner labels coming from the source", () => {
    const input = obj("v1", "ConfigMap", "ns/c");
    input.metadata.labels = { [OWNER_NAME_LABEL]: "someone-else", app: "x" };
    const [out] = prepareForApply([input], { owner: { name: "apps", namespace: "flux-system" } });
    expect(out?.metadata.labels).toEqual({
      [OWNER_NAME_LABEL]: "apps",
      [OWNER_NAMESPACE_LABEL]: "flux-system",
      app: "x",
    });
    expect(out?.metadata.annotations).toBeUndefined();
  });
});
