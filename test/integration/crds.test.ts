/**
 * Issue 2 acceptance: the CRDs install on a real API server, Flux-style objects are accepted and
 * defaulted, `kubectl get` prints Flux's columns, and invalid fields are rejected by the API
 * server with a message naming the field. CRDs are cluster-scoped and shared by every test file,
 * so they are server-side applied (idempotent) and never deleted.
 */
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { readFile } from "node:fs/promises";
import { parseAllDocuments, stringify } from "yaml";
import { ConditionType, GIT_REPOSITORY, KUSTOMIZATION, Reason } from "../../src/api/index.js";
import { computeStatus } from "../../src/apply/health/kstatus.js";
import type { KubeObject } from "../../src/util/kube-object.js";
import { applyManifestDir } from "../../src/dev/apply-manifests.js";
import { kubeRequest } from "../../src/runtime/kube-request.js";
import {
  eventually,
  kubectl,
  kubectlOk,
  randomSuffix,
  readObject,
  testKubeConfig,
  useTestNamespace,
} from "../support/kube.js";

interface Crd {
  spec: { versions: { name: string; schema: unknown }[] };
}

const crdDir = join(import.meta.dirname, "..", "..", "crds");
const ns = useTestNamespace("crds");

/** Creates an object and returns kubectl's error output; fails the test if it was accepted. */
async function rejected(obj: object): Promise<string> {
  const res = await kubectl(["create", "-f", "-"], stringify(obj));
  expect(res.code, `expected rejection, got: ${res.stdout}`).not.toBe(0);
  return res.stderr;
}

function gitRepository(name: string, spec: Record<string, unknown>): object {
  return {
    apiVersion: GIT_REPOSITORY.apiVersion,
    kind: GIT_REPOSITORY.kind,
    metadata: { name, namespace: ns() },
    spec,
  };
}

function kustomization(name: string, spec: Record<string, unknown>): object {
  return {
    apiVersion: KUSTOMIZATION.apiVersion,
    kind: KUSTOMIZATION.kind,
    metadata: { name, namespace: ns() },
    spec,
  };
}

const podinfoSpec = {
  interval: "1m",
  url: "https://github.com/stefanprodan/podinfo",
  ref: { branch: "master" },
};
const ksSpec = (source: string): Record<string, unknown> => ({
  interval: "10m",
  path: "./kustomize",
  prune: true,
  sourceRef: { kind: "GitRepository", name: source },
});

/** Splits kubectl's table output into rows of columns (headers are the first row of each table). */
function table(out: string): string[][] {
  return out
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => l.trim().split(/\s{2,}/));
}

/** Reads one of this file's objects as plain JSON. */
async function read(names: { apiVersion: string; kind: string }, name: string): Promise<any> {
  return readObject({ apiVersion: names.apiVersion, kind: names.kind, name, namespace: ns() });
}

/** kstatus of an object, the way the `flux` CLI and health checks judge it. */
function kstatus(obj: KubeObject): string {
  return computeStatus(obj, { now: Date.now() }).status;
}

/** Writes Ready=True and observedGeneration through the status subresource, as a controller would. */
async function markReady(resource: string, name: string, message: string): Promise<void> {
  const lastTransitionTime = new Date().toISOString().replace(/\.\d+Z$/, "Z");
  const condition = {
    type: ConditionType.Ready,
    status: "True",
    reason: Reason.Succeeded,
    message,
    lastTransitionTime,
  };
  const patch = JSON.stringify({ status: { observedGeneration: 1, conditions: [condition] } });
  await kubectlOk(["patch", "-n", ns(), resource, name, "--subresource=status", "--type=merge", "-p", patch]);
}

/** A GitRepository spec setting every field Flux v1 has (flux-compat §1.1). */
function fullGitRepositorySpec(): Record<string, unknown> {
  return {
    url: "ssh://git@example.com:22/org/repo.git",
    secretRef: { name: "creds" },
    provider: "azure",
    serviceAccountName: "sa",
    interval: "5m",
    timeout: "90s",
    ref: { branch: "main", tag: "v1", semver: ">=1.0.0", name: "refs/heads/main", commit: "0123" },
    verify: { mode: "head", secretRef: { name: "keys" } },
    proxySecretRef: { name: "proxy" },
    ignore: "/*\n!/deploy\n",
    suspend: true,
    recurseSubmodules: true,
    include: [{ repository: { name: "lib" }, fromPath: "a", toPath: "b" }],
    sparseCheckout: ["deploy"],
  };
}

/** A Kustomization spec setting every field Flux v1 has (flux-compat §3.1). */
function fullKustomizationSpec(source: string): Record<string, any> {
  const target = { group: "apps", version: "v1", kind: "Deployment", name: "web", namespace: "apps" };
  return {
    sourceRef: {
      apiVersion: "source.toolkit.fluxcd.io/v1",
      kind: "GitRepository",
      name: source,
      namespace: ns(),
    },
    path: "./kustomize",
    interval: "10m",
    retryInterval: "1m",
    timeout: "2m",
    prune: true,
    deletionPolicy: "WaitForTermination",
    wait: true,
    healthChecks: [{ apiVersion: "apps/v1", kind: "Deployment", name: "web", namespace: ns() }],
    healthCheckExprs: [
      { apiVersion: "example.com/v1", kind: "Thing", current: "true", inProgress: "false", failed: "false" },
    ],
    dependsOn: [{ name: "infra", namespace: ns(), readyExpr: "true" }],
    targetNamespace: "apps",
    namePrefix: "p-",
    nameSuffix: "-s",
    patches: [
      {
        patch: "- op: add\n  path: /x\n  value: 1\n",
        target: { ...target, labelSelector: "a=b", annotationSelector: "c=d" },
      },
    ],
    images: [{ name: "nginx", newName: "nginx2", newTag: "1", digest: "sha256:00" }],
    components: ["../c"],
    ignoreMissingComponents: true,
    buildMetadata: ["originAnnotations", "transformerAnnotations"],
    commonMetadata: { labels: { team: "a" }, annotations: { note: "b" } },
    postBuild: {
      substitute: { A: "1" },
      substituteFrom: [{ kind: "ConfigMap", name: "vars" }],
      substituteStrategy: "Always",
    },
    serviceAccountName: "deployer",
    kubeConfig: { secretRef: { name: "kc", key: "value" } },
    decryption: { provider: "sops", secretRef: { name: "sops" }, serviceAccountName: "kms" },
    force: true,
    suspend: true,
    ignore: [{ paths: ["/spec/replicas"], target: { ...target, labelSelector: "e=f" } }],
  };
}

beforeAll(async () => {
  await kubectlOk([
    "apply",
    "--server-side",
    "--force-conflicts",
    "--field-manager=mooring-tests",
    "-k",
    crdDir,
  ]);
  await kubectlOk([
    "wait",
    "--for=condition=Established",
    "--timeout=60s",
    `crd/${GIT_REPOSITORY.crdName}`,
    `crd/${KUSTOMIZATION.crdName}`,
  ]);
  // Discovery can trail Established by a moment; wait until kubectl can list both kinds.
  await eventually("kubectl to list the new kinds", async () =>
    (await kubectl(["get", "gitrepositories,kustomizations", "-n", ns()])).code === 0 ? true : undefined,
  );
});

describe("CRDs on a real API server", () => {
  it("keeps every schema keyword as written when installed by mooring's own apply (defaults, CEL rules)", async () => {
    // client-node's typed serialiser once dropped `default` and `x-kubernetes-*` keys here, and
    // the same manager re-applying without them would remove them from the stored CRD.
    await applyManifestDir(testKubeConfig(), crdDir, "mooring-tests");
    for (const names of [GIT_REPOSITORY, KUSTOMIZATION]) {
      const file = parseAllDocuments(
        await readFile(join(crdDir, `${names.crdName}.yaml`), "utf8"),
      )[0]?.toJS() as Crd;
      const live = await kubeRequest<Crd>(
        testKubeConfig(),
        `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${names.crdName}`,
      );
      expect(live.spec.versions.map((v) => v.schema)).toEqual(file.spec.versions.map((v) => v.schema));
    }
    const stored = await kubeRequest<Crd>(
      testKubeConfig(),
      `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${GIT_REPOSITORY.crdName}`,
    );
    expect(JSON.stringify(stored)).toContain('"default":"60s"');
    expect(JSON.stringify(stored)).toContain("x-kubernetes-validations");
  });

  it("applies idempotently", async () => {
    const out = await kubectlOk([
      "apply",
      "--server-side",
      "--force-conflicts",
      "--field-manager=mooring-tests",
      "-k",
      crdDir,
    ]);
    expect(out).toContain(
      `customresourcedefinition.apiextensions.k8s.io/${GIT_REPOSITORY.crdName} serverside-applied`,
    );
    expect(out).toContain(
      `customresourcedefinition.apiextensions.k8s.io/${KUSTOMIZATION.crdName} serverside-applied`,
    );
  });

  it("accepts Flux's examples, applies defaults, and prints Flux's columns", async () => {
    const repo = `podinfo-${randomSuffix()}`;
    const ks = `podinfo-${randomSuffix()}`;
    await kubectlOk(["create", "-f", "-"], stringify(gitRepository(repo, podinfoSpec)));
    await kubectlOk(["create", "-f", "-"], stringify(kustomization(ks, ksSpec(repo))));

    const gitObj = await read(GIT_REPOSITORY, repo);
    expect(gitObj.spec.timeout).toBe("60s");
    expect(gitObj.status).toEqual({ observedGeneration: -1 });
    const ksObj = await read(KUSTOMIZATION, ks);
    expect(ksObj.spec.force).toBe(false);
    expect(ksObj.status).toEqual({ observedGeneration: -1 });
    // The -1 default makes a never-reconciled object InProgress for kstatus (and `flux` waits).
    expect(kstatus(gitObj)).toBe("InProgress");
    expect(kstatus(ksObj)).toBe("InProgress");

    const gitMessage = "stored artifact for revision 'master@sha1:0123'";
    const ksMessage = "Applied revision: master@sha1:0123";
    await markReady("gitrepository", repo, gitMessage);
    await markReady("kustomization", ks, ksMessage);
    expect(kstatus(await read(GIT_REPOSITORY, repo))).toBe("Current");
    expect(kstatus(await read(KUSTOMIZATION, ks))).toBe("Current");

    const tables = (await kubectlOk(["get", "gitrepositories,kustomizations", "-A"])).split(/\n\s*\n/);
    const [gitTable, ksTable] = tables.map(table);
    expect(gitTable![0]).toEqual(["NAMESPACE", "NAME", "URL", "AGE", "READY", "STATUS"]);
    expect(ksTable![0]).toEqual(["NAMESPACE", "NAME", "AGE", "READY", "STATUS"]);
    const gitRow = gitTable!.find((r) => r[0] === ns() && r[1]!.endsWith(`/${repo}`));
    const gitName = `gitrepository.source.toolkit.fluxcd.io/${repo}`;
    expect(gitRow).toEqual([ns(), gitName, podinfoSpec.url, expect.any(String), "True", gitMessage]);
    const ksRow = ksTable!.find((r) => r[0] === ns() && r[1]!.endsWith(`/${ks}`));
    const ksName = `kustomization.kustomize.toolkit.fluxcd.io/${ks}`;
    expect(ksRow).toEqual([ns(), ksName, expect.any(String), "True", ksMessage]);
  });

  it("answers to short names and categories", async () => {
    const repo = `short-${randomSuffix()}`;
    await kubectlOk(["create", "-f", "-"], stringify(gitRepository(repo, podinfoSpec)));
    await kubectlOk(["create", "-f", "-"], stringify(kustomization(repo, ksSpec(repo))));
    expect(await kubectlOk(["get", "gitrepo", repo, "-n", ns(), "-o", "name"])).toBe(
      `gitrepository.source.toolkit.fluxcd.io/${repo}\n`,
    );
    expect(await kubectlOk(["get", "ks", repo, "-n", ns(), "-o", "name"])).toBe(
      `kustomization.kustomize.toolkit.fluxcd.io/${repo}\n`,
    );
    const fluxcd = await kubectlOk(["get", "fluxcd", "-n", ns(), "-o", "name"]);
    expect(fluxcd).toContain(`gitrepository.source.toolkit.fluxcd.io/${repo}`);
    expect(fluxcd).toContain(`kustomization.kustomize.toolkit.fluxcd.io/${repo}`);
    expect(await kubectlOk(["get", "fluxcd-sources", "-n", ns(), "-o", "name"])).toContain(
      `gitrepository.source.toolkit.fluxcd.io/${repo}`,
    );
    expect(await kubectlOk(["get", "fluxcd-appliers", "-n", ns(), "-o", "name"])).toContain(
      `kustomization.kustomize.toolkit.fluxcd.io/${repo}`,
    );
  });

  it("keeps every Flux field of a GitRepository and a Kustomization (nothing pruned as unknown)", async () => {
    const name = `full-${randomSuffix()}`;
    const gitSpec = fullGitRepositorySpec();
    const kSpec = fullKustomizationSpec(name);
    await kubectlOk(["create", "-f", "-"], stringify(gitRepository(name, gitSpec)));
    await kubectlOk(["create", "-f", "-"], stringify(kustomization(name, kSpec)));
    expect((await read(GIT_REPOSITORY, name)).spec).toEqual(gitSpec);
    // The only difference is the schema default of substituteFrom[].optional.
    const substituteFrom = [{ kind: "ConfigMap", name: "vars", optional: false }];
    expect((await read(KUSTOMIZATION, name)).spec).toEqual({
      ...kSpec,
      postBuild: { ...kSpec.postBuild, substituteFrom },
    });
  });
});

describe("status subresource", () => {
  const artifact = {
    path: "gitrepository/ns/podinfo/0123.tar.gz",
    url: "http://mooring.local/gitrepository/ns/podinfo/0123.tar.gz",
    revision: "master@sha1:0123456789012345678901234567890123456789",
    digest: "sha256:0a1b2c",
    lastUpdateTime: "2026-01-02T03:04:05Z",
    size: 1234,
  };
  const condition = {
    type: "Ready",
    status: "True",
    reason: "Succeeded",
    message: "ok",
    observedGeneration: 1,
    lastTransitionTime: "2026-01-02T03:04:05Z",
  };

  async function patchStatus(resource: string, name: string, status: object) {
    const patch = JSON.stringify({ status });
    return kubectl([
      "patch",
      "-n",
      ns(),
      resource,
      name,
      "--subresource=status",
      "--type=merge",
      "-p",
      patch,
    ]);
  }

  it("stores Flux-shaped GitRepository and Kustomization status unchanged", async () => {
    const name = `status-${randomSuffix()}`;
    await kubectlOk(["create", "-f", "-"], stringify(gitRepository(name, podinfoSpec)));
    await kubectlOk(["create", "-f", "-"], stringify(kustomization(name, ksSpec(name))));
    const include = [{ repository: { name: "lib" }, fromPath: "a", toPath: "b" }];
    const gitStatus = {
      observedGeneration: 1,
      conditions: [condition],
      artifact: { ...artifact, metadata: { a: "b" } },
      includedArtifacts: [artifact],
      observedIgnore: "/*",
      observedRecurseSubmodules: true,
      observedInclude: include,
      observedSparseCheckout: ["deploy"],
      sourceVerificationMode: "HEAD",
      lastHandledReconcileAt: "2026-01-02T03:04:05.123456789Z",
    };
    const ksStatus = {
      observedGeneration: 1,
      conditions: [condition],
      lastAppliedRevision: artifact.revision,
      lastAppliedOriginRevision: "v1@sha256:00",
      lastAttemptedRevision: artifact.revision,
      lastHandledReconcileAt: "now",
      inventory: { entries: [{ id: "default_podinfo__Service", v: "v1" }] },
      history: [
        {
          digest: "sha256:0a1b",
          firstReconciled: "2026-01-02T03:04:05Z",
          lastReconciled: "2026-01-02T03:05:05Z",
          lastReconciledDuration: "1.5s",
          lastReconciledStatus: "ReconciliationSucceeded",
          totalReconciliations: 2,
          metadata: { revision: artifact.revision },
        },
      ],
    };
    expect((await patchStatus("gitrepository", name, gitStatus)).code).toBe(0);
    expect((await patchStatus("kustomization", name, ksStatus)).code).toBe(0);
    expect((await read(GIT_REPOSITORY, name)).status).toEqual(gitStatus);
    expect((await read(KUSTOMIZATION, name)).status).toEqual(ksStatus);
  });

  it("rejects a malformed artifact digest and an invalid condition", async () => {
    const name = `badstatus-${randomSuffix()}`;
    await kubectlOk(["create", "-f", "-"], stringify(gitRepository(name, podinfoSpec)));
    const badDigest = await patchStatus("gitrepository", name, {
      artifact: { ...artifact, digest: "not a digest" },
    });
    expect(badDigest.stderr).toMatch(/status\.artifact\.digest: Invalid value: "not a digest"/);
    const badStatus = await patchStatus("gitrepository", name, {
      conditions: [{ ...condition, status: "Yes" }],
    });
    expect(badStatus.stderr).toMatch(/status\.conditions\[0\]\.status: Unsupported value: "Yes"/);
    const noReason = await patchStatus("gitrepository", name, { conditions: [{ ...condition, reason: "" }] });
    expect(noReason.stderr).toMatch(/status\.conditions\[0\]\.reason/);
  });
});

describe("the API server rejects invalid objects, naming the field", () => {
  const name = (): string => `bad-${randomSuffix()}`;

  it("interval: banana", async () => {
    expect(await rejected(gitRepository(name(), { ...podinfoSpec, interval: "banana" }))).toMatch(
      /spec\.interval: Invalid value: "banana"/,
    );
    expect(await rejected(kustomization(name(), { ...ksSpec("x"), interval: "banana" }))).toMatch(
      /spec\.interval: Invalid value: "banana"/,
    );
  });

  it("GitRepository without url", async () => {
    const { url: _url, ...noUrl } = podinfoSpec;
    expect(await rejected(gitRepository(name(), noUrl))).toMatch(/spec\.url: Required value/);
  });

  it("GitRepository with an scp-style or unknown-scheme url", async () => {
    expect(
      await rejected(gitRepository(name(), { ...podinfoSpec, url: "git@github.com:org/repo.git" })),
    ).toMatch(/spec\.url: Invalid value/);
    expect(await rejected(gitRepository(name(), { ...podinfoSpec, url: "ftp://example.com/repo" }))).toMatch(
      /spec\.url: Invalid value/,
    );
  });

  it("GitRepository timeout in hours (the GitRepository pattern has no h unit)", async () => {
    expect(await rejected(gitRepository(name(), { ...podinfoSpec, timeout: "1h" }))).toMatch(
      /spec\.timeout: Invalid value: "1h"/,
    );
  });

  it("GitRepository with an unknown provider or verify mode", async () => {
    expect(await rejected(gitRepository(name(), { ...podinfoSpec, provider: "gitlab" }))).toMatch(
      /spec\.provider: Unsupported value: "gitlab"/,
    );
    const verify = { mode: "tag", secretRef: { name: "k" } };
    expect(await rejected(gitRepository(name(), { ...podinfoSpec, verify }))).toMatch(
      /spec\.verify\.mode: Unsupported value: "tag"/,
    );
  });

  it("GitRepository serviceAccountName without provider aws/azure (CEL rule)", async () => {
    const out = await rejected(gitRepository(name(), { ...podinfoSpec, serviceAccountName: "sa" }));
    expect(out).toMatch(
      /spec: Invalid value: .*serviceAccountName can only be set when provider is 'azure' or 'aws'/,
    );
    expect(
      await rejected(gitRepository(name(), { ...podinfoSpec, provider: "github", serviceAccountName: "sa" })),
    ).toContain("serviceAccountName can only be set");
  });

  it("Kustomization with an unknown sourceRef.kind", async () => {
    const spec = { ...ksSpec("x"), sourceRef: { kind: "HelmRepository", name: "x" } };
    expect(await rejected(kustomization(name(), spec))).toMatch(
      /spec\.sourceRef\.kind: Unsupported value: "HelmRepository"/,
    );
  });

  it("Kustomization without prune or sourceRef", async () => {
    const { prune: _prune, ...noPrune } = ksSpec("x");
    expect(await rejected(kustomization(name(), noPrune))).toMatch(/spec\.prune: Required value/);
    const { sourceRef: _ref, ...noRef } = ksSpec("x");
    expect(await rejected(kustomization(name(), noRef))).toMatch(/spec\.sourceRef: Required value/);
  });

  it("Kustomization with out-of-range targetNamespace, deletionPolicy or substituteFrom kind", async () => {
    expect(
      await rejected(kustomization(name(), { ...ksSpec("x"), targetNamespace: "n".repeat(64) })),
    ).toMatch(/spec\.targetNamespace: Too long/);
    expect(await rejected(kustomization(name(), { ...ksSpec("x"), deletionPolicy: "Keep" }))).toMatch(
      /spec\.deletionPolicy: Unsupported value: "Keep"/,
    );
    const postBuild = { substituteFrom: [{ kind: "Deployment", name: "v" }] };
    expect(await rejected(kustomization(name(), { ...ksSpec("x"), postBuild }))).toMatch(
      /spec\.postBuild\.substituteFrom\[0\]\.kind: Unsupported value/,
    );
  });

  it("Kustomization kubeConfig with both or neither reference (CEL rules)", async () => {
    const both = { secretRef: { name: "a" }, configMapRef: { name: "b" } };
    expect(await rejected(kustomization(name(), { ...ksSpec("x"), kubeConfig: both }))).toMatch(
      /spec\.kubeConfig: Invalid value: .*exactly one of/,
    );
    expect(await rejected(kustomization(name(), { ...ksSpec("x"), kubeConfig: {} }))).toMatch(
      /spec\.kubeConfig: Invalid value: .*exactly one of/,
    );
  });
});
