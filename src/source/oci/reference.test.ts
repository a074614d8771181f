import { describe, expect, it } from "vitest";
import { ociRefStrategy } from "../../api/index.js";
import { StallingError } from "../../runtime/errors.js";
import { digestOfRevision, ociRevision, parseOciUrl, selectOciTag, validDigest } from "./reference.js";

const D = `sha256:${"a".repeat(64)}`;

describe("spec.url", () => {
  it("splits registry and repository; Docker Hub when the first segment is no host", () => {
    expect(parseOciUrl("oci://ghcr.io/org/app/manifests", false)).toEqual({
      registry: "ghcr.io",
      apiHost: "ghcr.io",
      repository: "org/app/manifests",
      httpFallback: false,
    });
    expect(parseOciUrl("oci://stefanprodan/podinfo", false)).toMatchObject({
      registry: "index.docker.io",
      apiHost: "registry-1.docker.io",
      repository: "stefanprodan/podinfo",
    });
    expect(parseOciUrl("oci://podinfo", false).repository).toBe("library/podinfo");
  });

  it("docker.io is Docker Hub: its API is called on registry-1.docker.io (docker.io serves none)", () => {
    // flux2-kustomize-helm-example's Envoy Gateway chart: oci://docker.io/envoyproxy/gateway-helm.
    expect(parseOciUrl("oci://docker.io/envoyproxy/gateway-helm", false)).toEqual({
      registry: "index.docker.io",
      apiHost: "registry-1.docker.io",
      repository: "envoyproxy/gateway-helm",
      httpFallback: false,
    });
    expect(parseOciUrl("oci://docker.io/nginx", false).repository).toBe("library/nginx");
    expect(parseOciUrl("oci://index.docker.io/nginx", false)).toMatchObject({
      apiHost: "registry-1.docker.io",
      repository: "library/nginx",
    });
    expect(parseOciUrl("oci://registry.example.com/nginx", false).repository).toBe("nginx");
  });

  it("loopback registries and insecure ones may fall back to plain HTTP", () => {
    expect(parseOciUrl("oci://127.0.0.1:5000/app", false)).toMatchObject({
      registry: "127.0.0.1:5000",
      httpFallback: true,
    });
    expect(parseOciUrl("oci://localhost:5000/app", false).httpFallback).toBe(true);
    expect(parseOciUrl("oci://registry.example.com/app", true).httpFallback).toBe(true);
    expect(parseOciUrl("oci://registry.example.com/app", false).httpFallback).toBe(false);
  });

  it("refuses a tag in the URL, a missing scheme and upper case, as Flux (Stalled URLInvalid)", () => {
    const err = (url: string): unknown => {
      try {
        parseOciUrl(url, false);
      } catch (e) {
        return e;
      }
      return undefined;
    };
    expect(err("oci://ghcr.io/org/app:v1")).toBeInstanceOf(StallingError);
    expect(err("oci://ghcr.io/org/app:v1")).toMatchObject({
      reason: "URLInvalid",
      message:
        "URL validation failed for 'oci://ghcr.io/org/app:v1': URL must not contain a tag; remove ':v1'",
    });
    expect(err("https://ghcr.io/org/app")).toMatchObject({ reason: "URLInvalid" });
    expect(err("oci://ghcr.io/Org/App")).toMatchObject({ reason: "URLInvalid" });
  });
});

describe("spec.ref", () => {
  it("precedence: digest, semver, tag, then latest", () => {
    expect(ociRefStrategy({ digest: D, semver: "1.x", tag: "v1" })).toEqual({ kind: "digest", digest: D });
    expect(ociRefStrategy({ semver: "1.x", tag: "v1", semverFilter: "-rc" })).toEqual({
      kind: "semver",
      range: "1.x",
      filter: "-rc",
    });
    expect(ociRefStrategy({ tag: "v1" })).toEqual({ kind: "tag", tag: "v1" });
    expect(ociRefStrategy({})).toEqual({ kind: "tag", tag: "latest" });
    expect(ociRefStrategy(undefined)).toEqual({ kind: "tag", tag: "latest" });
  });

  it("semver picks the highest tag in range; semverFilter narrows the tags first", () => {
    const tags = ["1.0.0", "v1.2.0", "1.3.0-rc.1", "2.0.0", "latest", "1.1"];
    expect(selectOciTag(">=1.0.0 <2.0.0", undefined, tags)).toBe("v1.2.0");
    expect(selectOciTag("1.x", undefined, tags)).toBe("v1.2.0");
    expect(selectOciTag(">=1.0.0", "^1\\.", tags)).toBe("1.1");
    expect(() => selectOciTag("3.x", undefined, tags)).toThrow("no match found for semver: 3.x");
    expect(() => selectOciTag("1.x", "(", tags)).toThrow("invalid semverFilter");
  });

  it("revisions as Flux writes them: <tag>@<digest>, or the digest alone", () => {
    expect(ociRevision("latest", D)).toBe(`latest@${D}`);
    expect(ociRevision(undefined, D)).toBe(D);
    expect(digestOfRevision(`v1@${D}`)).toBe(D);
    expect(digestOfRevision(D)).toBe(D);
    expect(validDigest(D)).toBe(true);
    expect(validDigest("sha256:abc")).toBe(false);
  });
});
