import { describe, expect, it } from "vitest";
import type { KubeObject } from "../util/kube-object.js";
import { GIT_REPOSITORY, KUSTOMIZATION } from "./constants.js";
import {
  type GitRepository,
  gitRepositoryRef,
  gitRepositoryTimeout,
  gitVerificationMode,
  includeFromPath,
  includeToPath,
} from "./git-repository.js";
import {
  dependencyNamespace,
  healthCheckApiVersion,
  type Kustomization,
  kustomizationDeletionPolicy,
  kustomizationRetryInterval,
  kustomizationTimeout,
  sourceRefNamespace,
} from "./kustomization.js";

describe("GitRepository defaults", () => {
  it("timeout is 60s unless set", () => {
    expect(gitRepositoryTimeout({})).toBe(60_000);
    expect(gitRepositoryTimeout({ timeout: "1m30s" })).toBe(90_000);
  });
  it.each([
    [undefined, { branch: "master" }],
    [{}, { branch: "master" }],
    [{ branch: "" }, { branch: "master" }],
    [{ branch: "main" }, { branch: "main" }],
    [{ tag: "v1" }, { tag: "v1" }],
    [{ semver: ">=1.0.0" }, { semver: ">=1.0.0" }],
    [{ name: "refs/pull/1/head" }, { name: "refs/pull/1/head" }],
    [{ commit: "abc" }, { commit: "abc" }],
  ])("ref %j resolves to %j", (ref, want) => {
    expect(gitRepositoryRef(ref === undefined ? {} : { ref })).toEqual(want);
  });
  it("verification mode folds head into HEAD and is absent without verify", () => {
    const secretRef = { name: "keys" };
    expect(gitVerificationMode({})).toBeUndefined();
    expect(gitVerificationMode({ verify: { secretRef } })).toBe("HEAD");
    expect(gitVerificationMode({ verify: { secretRef, mode: "head" } })).toBe("HEAD");
    expect(gitVerificationMode({ verify: { secretRef, mode: "TagAndHEAD" } })).toBe("TagAndHEAD");
  });
  it("include paths default to the repository name and the artifact root", () => {
    expect(includeToPath({ repository: { name: "lib" } })).toBe("lib");
    expect(includeToPath({ repository: { name: "lib" }, toPath: "vendor/lib" })).toBe("vendor/lib");
    expect(includeFromPath({ repository: { name: "lib" } })).toBe("");
    expect(includeFromPath({ repository: { name: "lib" }, fromPath: "deploy" })).toBe("deploy");
  });
});

describe("Kustomization defaults", () => {
  it("retryInterval falls back to interval", () => {
    expect(kustomizationRetryInterval({ interval: "10m" })).toBe(600_000);
    expect(kustomizationRetryInterval({ interval: "10m", retryInterval: "2m" })).toBe(120_000);
  });
  it.each([
    [{ interval: "10m" }, 570_000],
    [{ interval: "1m" }, 30_000],
    [{ interval: "30s" }, 30_000],
    [{ interval: "10m", timeout: "2m" }, 120_000],
    // An explicit value under the floor is raised too (flux-compat §3.1).
    [{ interval: "10m", timeout: "5s" }, 30_000],
  ])("timeout of %j is %d ms", (spec, want) => {
    expect(kustomizationTimeout(spec)).toBe(want);
  });
  it("deletionPolicy is MirrorPrune unless set", () => {
    expect(kustomizationDeletionPolicy({})).toBe("MirrorPrune");
    expect(kustomizationDeletionPolicy({ deletionPolicy: "Orphan" })).toBe("Orphan");
  });
  it("sourceRef and dependsOn namespaces default to the Kustomization's", () => {
    const base = { apiVersion: "kustomize.toolkit.fluxcd.io/v1", kind: "Kustomization" };
    const spec = { interval: "1m", prune: true, sourceRef: { kind: "GitRepository" as const, name: "repo" } };
    expect(sourceRefNamespace({ ...base, metadata: { namespace: "apps" }, spec })).toBe("apps");
    const other = { ...spec, sourceRef: { ...spec.sourceRef, namespace: "flux-system" } };
    expect(sourceRefNamespace({ ...base, metadata: { namespace: "apps" }, spec: other })).toBe("flux-system");
    expect(dependencyNamespace({ name: "infra" }, "apps")).toBe("apps");
    expect(dependencyNamespace({ name: "infra", namespace: "base" }, "apps")).toBe("base");
  });
  it("health checks default to apps/v1", () => {
    expect(healthCheckApiVersion({ kind: "Deployment", name: "web" })).toBe("apps/v1");
    expect(healthCheckApiVersion({ apiVersion: "v1", kind: "Service", name: "web" })).toBe("v1");
  });
});

describe("object types", () => {
  it("GitRepository and Kustomization are assignable to the generic KubeObject", () => {
    const git: GitRepository = {
      apiVersion: GIT_REPOSITORY.apiVersion,
      kind: GIT_REPOSITORY.kind,
      metadata: { name: "podinfo", namespace: "default" },
      spec: { url: "https://example.com/repo", interval: "1m" },
    };
    const ks: Kustomization = {
      apiVersion: KUSTOMIZATION.apiVersion,
      kind: KUSTOMIZATION.kind,
      metadata: { name: "podinfo", namespace: "default" },
      spec: { interval: "1m", prune: true, sourceRef: { kind: "GitRepository", name: "podinfo" } },
    };
    const objects: KubeObject[] = [git, ks];
    expect(objects.map((o) => o.kind)).toEqual(["GitRepository", "Kustomization"]);
  });
});
