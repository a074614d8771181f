/**
 * Issue 16, item 4: Flux's two official example repositories, fluxcd/flux2-kustomize-helm-example
 * and fluxcd/flux2-multi-tenancy, reconcile unchanged under mooring. Their files, at pinned
 * commits, are test data (test/data/flux-examples, origin and licence in its README); the test
 * pushes them as they are to the test git server, runs the real controller in process (every
 * controller: GitRepository, OCIRepository, ArtifactGenerator, Kustomization) and requires every
 * Kustomization under `clusters/staging` Ready, `dependsOn` chains included. The repositories are
 * reconciled one after the other (both use `flux-system/flux-system`), each then deleted through
 * its root Kustomization, whose garbage collection must remove the whole tree.
 *
 * What the test provides, because this control plane (kube-apiserver, etcd, controller-manager;
 * no network, no kubelet, no helm-controller) cannot, and nothing else:
 *
 * - Bootstrap. `flux bootstrap` would write `clusters/staging/flux-system/gotk-sync.yaml` (the
 *   repositories hold a placeholder) and install `gotk-components.yaml`. The test creates the two
 *   objects gotk-sync.yaml holds, GitRepository and Kustomization `flux-system/flux-system`
 *   (bootstrap's specs, with the test git server's URL and no deploy-key secret), and, for the
 *   multi-tenancy repository, what its Kustomizations' `serviceAccountName: kustomize-controller`
 *   needs from gotk-components.yaml: that ServiceAccount bound to cluster-admin. The multi-tenancy
 *   repository patches bootstrap's Kustomization with that service account; the test writes it so.
 *   Controller flags: the `ExternalArtifact` feature gate on (the helm example's README
 *   bootstraps with `--components-extra=source-watcher` for its ArtifactGenerator), and
 *   `--requeue-dependency=1s` (the example patches Flux's controllers to 5s) to keep the test short.
 * - Public hosts. quay.io and Docker Hub (the cert-manager and Envoy Gateway chart
 *   OCIRepositories) and github.com (the dev-team tenant's GitRepository) are served by local
 *   stand-ins (test/support/stand-in-hosts.ts: plain TCP to a local CNCF distribution registry and
 *   the test git server, in place of DNS and TLS). The registry holds stand-in charts the test
 *   pushes under the repositories' names, with `helm push`'s media types and several versions, so
 *   mooring resolves the repositories' semver ranges and layer selectors itself. github.com serves
 *   the repository with its `dev-team` branch (also test data, at its own pinned commit).
 * - Helm. No helm-controller runs, so the test installs stand-in CRDs for HelmRelease (v2,
 *   v2beta1) and HelmRepository (v1, v1beta1), and marks Ready the HelmReleases and
 *   HelmRepositories that a `wait: true` Kustomization health-checks (infra-controllers:
 *   cert-manager, envoy-gateway; apps: podinfo and its HelmRepository), writing the Ready
 *   condition and observedGeneration helm-controller and source-controller would. The dev-team
 *   tenant's HelmRelease and HelmRepository (`dev-team` has no `wait`) are applied, not marked. Their charts would install the CRDs of
 *   ClusterIssuer (cert-manager.io), GatewayClass and Gateway (gateway.networking.k8s.io), which
 *   infra-configs applies: the test installs minimal stand-ins of those CRDs up front.
 * - Kyverno. flux2-multi-tenancy installs Kyverno from `oci://ghcr.io/kyverno/manifests/kyverno`
 *   with `verify: {provider: cosign}` (keyless). mooring does not implement signature
 *   verification and stalls such a source rather than pull it unverified (asserted here), and
 *   ghcr.io and Sigstore are out of reach anyway. So once mooring has stalled it, the test writes
 *   that OCIRepository's status as source-controller would after pulling (Ready, an artifact; no
 *   SourceVerified condition: nothing was verified), with a stand-in artifact it serves itself:
 *   the one part of Kyverno's install the rest of the repository needs, the ClusterPolicy CRD.
 *   It then requests a reconcile of the `kyverno` Kustomization (`flux reconcile ks kyverno`):
 *   its health check may already have ended on the stalled source, and its interval is 12h.
 */
import { createHash } from "node:crypto";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { startRegistry, type Registry } from "../../src/dev/oci-registry/registry.js";
import { type GitRepo, type GitServer, startGitServer } from "../../src/dev/git-server/index.js";
import type { RunningController } from "../../src/main.js";
import { startInProcessController } from "../support/in-process-controller.js";
import {
  conditionOf,
  eventually,
  kubectl,
  kubectlOk,
  patchStatus,
  readObject,
  waitForCondition,
  waitForObject,
  type ObjectRef,
} from "../support/kube.js";
import { pushHelmChart, registryBinaries, tarGz } from "../support/oci.js";
import { installStandInHosts, type StandInHosts } from "../support/stand-in-hosts.js";

const DATA = resolve(import.meta.dirname, "..", "data", "flux-examples");
/** The controller reconciles what Kustomizations in flux-system applied, and bootstrap's objects. */
const SELECTOR = "kustomize.toolkit.fluxcd.io/namespace=flux-system";
const BOOTSTRAP_LABELS = {
  "kustomize.toolkit.fluxcd.io/name": "flux-system",
  "kustomize.toolkit.fluxcd.io/namespace": "flux-system",
};
const STAND_IN_LABEL = "mooring.test/stand-in";
const FS = "flux-system";

const GR = { apiVersion: "source.toolkit.fluxcd.io/v1", kind: "GitRepository" } as const;
const OCI = { apiVersion: "source.toolkit.fluxcd.io/v1", kind: "OCIRepository" } as const;
const EA = { apiVersion: "source.toolkit.fluxcd.io/v1", kind: "ExternalArtifact" } as const;
const AG = { apiVersion: "source.extensions.fluxcd.io/v1beta1", kind: "ArtifactGenerator" } as const;
const KS = { apiVersion: "kustomize.toolkit.fluxcd.io/v1", kind: "Kustomization" } as const;
const HR = { apiVersion: "helm.toolkit.fluxcd.io/v2", kind: "HelmRelease" } as const;
const HREPO = { apiVersion: "source.toolkit.fluxcd.io/v1", kind: "HelmRepository" } as const;

type Status = {
  conditions?: { type: string; status: string; reason?: string; message?: string }[];
  artifact?: { revision?: string; digest?: string };
  lastAppliedRevision?: string;
};
type Obj = {
  metadata: { name: string; namespace?: string; generation?: number; labels?: Record<string, string> };
  spec?: Record<string, any>;
  status?: Status;
};

const stop = new AbortController();
let running: RunningController | undefined;
let storage = "";
let git: GitServer;
let registry: Registry;
let hosts: StandInHosts;
let kyvernoArtifact: { server: Server; url: string; digest: string; size: number } | undefined;

async function apply(obj: object): Promise<void> {
  await kubectlOk(["apply", "-f", "-"], stringify(obj));
}

const read = async (ref: ObjectRef): Promise<Obj | undefined> =>
  (await readObject(ref)) as unknown as Obj | undefined;

/** Every file under `dir`, path relative to it → content. */
async function filesOf(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    out[relative(dir, path)] = await readFile(path, "utf8");
  }
  return out;
}

/** A CRD accepting any content, for kinds whose real CRDs come with software not run here. */
function standInCrd(def: {
  group: string;
  kind: string;
  plural: string;
  scope: "Namespaced" | "Cluster";
  versions: readonly string[];
}): object {
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: {
      name: `${def.plural}.${def.group}`,
      labels: { [STAND_IN_LABEL]: "flux-examples" },
      // *.k8s.io groups are protected; the API server accepts a declared unapproved stand-in.
      ...(def.group.endsWith(".k8s.io")
        ? { annotations: { "api-approved.kubernetes.io": "unapproved, stand-in for a test" } }
        : {}),
    },
    spec: {
      group: def.group,
      names: {
        kind: def.kind,
        listKind: `${def.kind}List`,
        plural: def.plural,
        singular: def.kind.toLowerCase(),
      },
      scope: def.scope,
      versions: def.versions.map((name, i) => ({
        name,
        served: true,
        storage: i === 0,
        subresources: { status: {} },
        schema: { openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true } },
      })),
    },
  };
}

const HELM_CRDS = [
  {
    group: "helm.toolkit.fluxcd.io",
    kind: "HelmRelease",
    plural: "helmreleases",
    versions: ["v2", "v2beta1"],
  },
  {
    group: "source.toolkit.fluxcd.io",
    kind: "HelmRepository",
    plural: "helmrepositories",
    versions: ["v1", "v1beta1"],
  },
].map((d) => ({ ...d, scope: "Namespaced" as const }));
const CHART_CRDS = [
  { group: "cert-manager.io", kind: "ClusterIssuer", plural: "clusterissuers", scope: "Cluster" as const },
  {
    group: "gateway.networking.k8s.io",
    kind: "GatewayClass",
    plural: "gatewayclasses",
    scope: "Cluster" as const,
  },
  { group: "gateway.networking.k8s.io", kind: "Gateway", plural: "gateways", scope: "Namespaced" as const },
].map((d) => ({ ...d, versions: ["v1"] }));
const KYVERNO_CRD = {
  group: "kyverno.io",
  kind: "ClusterPolicy",
  plural: "clusterpolicies",
  scope: "Cluster" as const,
  versions: ["v1"],
};

async function installCrds(defs: readonly Parameters<typeof standInCrd>[0][]): Promise<void> {
  await kubectlOk(["apply", "-f", "-"], defs.map((d) => stringify(standInCrd(d))).join("---\n"));
  for (const d of defs) {
    await kubectlOk(["wait", "--for=condition=Established", "--timeout=60s", `crd/${d.plural}.${d.group}`]);
  }
}

/** The stand-in charts, several versions each, so the repositories' semver ranges choose. */
async function pushCharts(): Promise<void> {
  const chart = (name: string, version: string) => ({
    name,
    version,
    files: {
      "Chart.yaml": `apiVersion: v2\nname: ${name}\nversion: ${version}\ndescription: stand-in pushed by mooring's flux-examples test\n`,
    },
  });
  const certManager = { host: registry.host, repository: "jetstack/charts/cert-manager" };
  for (const v of ["v1.17.4", "v1.18.2", "v2.0.0"])
    await pushHelmChart(certManager, chart("cert-manager", v));
  const gateway = { host: registry.host, repository: "envoyproxy/gateway-helm" };
  for (const v of ["1.7.3", "1.8.0-rc.1", "1.8.1"]) await pushHelmChart(gateway, chart("gateway-helm", v));
}

/** What `flux bootstrap` writes into gotk-sync.yaml, pointed at the test git server. */
async function bootstrap(repo: GitRepo, extra: { serviceAccountName?: string } = {}): Promise<void> {
  const metadata = { name: FS, namespace: FS, labels: BOOTSTRAP_LABELS };
  await apply({ ...GR, metadata, spec: { interval: "1m0s", ref: { branch: "main" }, url: repo.url } });
  await apply({
    ...KS,
    metadata,
    spec: {
      interval: "10m0s",
      path: "./clusters/staging",
      prune: true,
      sourceRef: { kind: "GitRepository", name: FS },
      ...extra,
    },
  });
}

/** Writes the Ready status a controller that does not run here would write, once `ref` exists. */
async function markReady(ref: ObjectRef, why: string): Promise<void> {
  const obj = await waitForObject<any>(ref, () => true, { timeoutMs: 120_000 });
  const generation = (obj as Obj).metadata.generation ?? 1;
  const condition = {
    type: "Ready",
    status: "True",
    reason: "Succeeded",
    message: `marked Ready by mooring's flux-examples test: ${why}`,
    lastTransitionTime: new Date().toISOString(),
    observedGeneration: generation,
  };
  const plural = [...HELM_CRDS].find((d) => d.kind === ref.kind)?.plural;
  const resource = `${plural ?? ""}.${ref.apiVersion.split("/")[0]}`;
  await patchStatus(resource, ref.name, ref.namespace ?? "", {
    observedGeneration: generation,
    conditions: [condition],
  });
}

/** Waits until every listed Kustomization is Ready and returns them. */
async function allReady(refs: readonly { name: string; namespace: string }[]): Promise<Obj[]> {
  const out: Obj[] = [];
  for (const r of refs) {
    const ks = (await waitForCondition({ ...KS, ...r }, "Ready", "True", {
      timeoutMs: 180_000,
    })) as unknown as Obj;
    out.push(ks);
  }
  return out;
}

/** Names of the Kustomizations in `namespace`. */
async function kustomizationsIn(namespace: string): Promise<string[]> {
  const out = await kubectlOk(["get", "kustomizations", "-n", namespace, "-o", "name"]);
  return out
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => l.split("/").at(-1) ?? "")
    .sort();
}

/** Deletes bootstrap's objects; the root Kustomization's garbage collection removes the rest. */
async function teardown(gone: readonly ObjectRef[]): Promise<void> {
  await kubectlOk(["delete", "kustomization", FS, "-n", FS, "--wait=false"]);
  for (const ref of [{ ...KS, name: FS, namespace: FS }, ...gone]) {
    await eventually(
      `${ref.kind} ${ref.namespace ?? ""}/${ref.name} to be deleted`,
      async () => ((await readObject(ref)) === undefined ? true : undefined),
      () => readObject(ref),
      { timeoutMs: 120_000 },
    );
  }
  await kubectlOk(["delete", "gitrepository", FS, "-n", FS, "--wait=true", "--timeout=60s"]);
}

/** Serves the stand-in Kyverno artifact (a reproducible tar.gz) on 127.0.0.1. */
async function serveKyvernoArtifact(): Promise<NonNullable<typeof kyvernoArtifact>> {
  const crd = stringify(standInCrd(KYVERNO_CRD));
  const body = await tarGz({ "install.yaml": crd });
  const server = createServer((_req, res) =>
    res.writeHead(200, { "content-type": "application/gzip" }).end(body),
  );
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  const { port } = server.address() as AddressInfo;
  const digest = `sha256:${createHash("sha256").update(body).digest("hex")}`;
  return { server, url: `http://127.0.0.1:${port}/kyverno.tar.gz`, digest, size: body.length };
}

beforeAll(async () => {
  registry = await startRegistry(await registryBinaries());
  git = await startGitServer();
  const gitPort = Number(new URL(git.url).port);
  const registryPort = Number(registry.host.split(":")[1]);
  hosts = installStandInHosts({
    "github.com": gitPort,
    "quay.io": registryPort,
    "registry-1.docker.io": registryPort,
  });
  await pushCharts();
  await installCrds([...HELM_CRDS, ...CHART_CRDS]);
  const ns = await kubectl(["create", "namespace", FS]);
  if (ns.code !== 0 && !ns.stderr.includes("AlreadyExists")) throw new Error(ns.stderr);
  storage = await mkdtemp(join(tmpdir(), "flux-examples-storage-"));
  ({ running } = await startInProcessController({
    storagePath: storage,
    shard: "flux-examples",
    instance: "flux-examples-test",
    signal: stop.signal,
    flags: { watchLabelSelector: SELECTOR, featureGates: "ExternalArtifact=true", requeueDependency: "1s" },
  }));
}, 300_000);

afterAll(async () => {
  stop.abort();
  await running?.done.catch(() => undefined);
  await hosts?.restore();
  await git?.stop();
  await registry?.stop();
  kyvernoArtifact?.server.close();
  await kubectl(["delete", "crd", "-l", `${STAND_IN_LABEL}=flux-examples`, "--wait=false"]);
  await kubectl(["delete", "clusterrolebinding", "flux-examples-kustomize-controller", "--ignore-not-found"]);
  if (storage) await rm(storage, { recursive: true, force: true });
});

describe("Flux's example repositories reconcile unchanged (issue 16)", () => {
  it("flux2-kustomize-helm-example, clusters/staging: ArtifactGenerator, ExternalArtifacts, OCI charts, every Kustomization Ready", async () => {
    const repo = await git.createRepo("flux2-kustomize-helm-example");
    const commit = await repo.commit({ files: await filesOf(join(DATA, "flux2-kustomize-helm-example")) });
    await bootstrap(repo);

    // helm-controller's part: the HelmReleases (and the HelmRepository) the wait: true
    // Kustomizations health-check.
    const noHelm = "no helm-controller runs on this control plane";
    await markReady({ ...HR, name: "cert-manager", namespace: "cert-manager" }, noHelm);
    await markReady({ ...HR, name: "envoy-gateway", namespace: "envoy-gateway-system" }, noHelm);
    await markReady(
      { ...HREPO, name: "podinfo", namespace: "podinfo" },
      "mooring does not reconcile HelmRepository",
    );
    await markReady({ ...HR, name: "podinfo", namespace: "podinfo" }, noHelm);

    const names = ["flux-system", "infra-controllers", "infra-configs", "apps"];
    const ready = await allReady(names.map((name) => ({ name, namespace: FS })));
    expect(await kustomizationsIn(FS)).toEqual([...names].sort());

    const [root, controllers, configs, apps] = ready;
    expect(root!.status?.lastAppliedRevision).toBe(`main@sha1:${commit}`);
    const ag = (await waitForCondition(
      { ...AG, name: FS, namespace: FS },
      "Ready",
      "True",
    )) as unknown as Obj;
    expect(ag.status?.conditions?.find((c) => c.type === "Ready")?.message).toBe(
      "reconciliation succeeded, generated 2 artifact(s)",
    );
    for (const [ks, artifact] of [
      [controllers, "infrastructure"],
      [configs, "infrastructure"],
      [apps, "apps"],
    ] as const) {
      const ea = await read({ ...EA, name: artifact, namespace: FS });
      expect(ea?.status?.artifact?.revision).toMatch(/^latest@sha256:[0-9a-f]{64}$/);
      expect(ks!.status?.lastAppliedRevision).toBe(ea?.status?.artifact?.revision);
    }

    // The chart sources are mooring's own: semver ranges resolved, Helm's layer copied.
    const certManager = await read({ ...OCI, name: "cert-manager", namespace: "cert-manager" });
    expect(conditionOf(certManager as any, "Ready")?.status).toBe("True");
    expect(certManager?.status?.artifact?.revision).toMatch(/^v1\.18\.2@sha256:[0-9a-f]{64}$/);
    const gateway = await read({ ...OCI, name: "gateway-helm", namespace: "envoy-gateway-system" });
    expect(conditionOf(gateway as any, "Ready")?.status).toBe("True");
    expect(gateway?.status?.artifact?.revision).toMatch(/^1\.8\.1@sha256:[0-9a-f]{64}$/);
    expect(new Set(hosts.connections())).toEqual(new Set(["quay.io", "registry-1.docker.io"]));

    // infra-configs' own patch, and the staging overlay's, as applied.
    const issuer = await read({
      apiVersion: "cert-manager.io/v1",
      kind: "ClusterIssuer",
      name: "letsencrypt",
    });
    expect(issuer?.spec?.acme?.server).toBe("https://acme-staging-v02.api.letsencrypt.org/directory");
    const podinfo = await read({ ...HR, name: "podinfo", namespace: "podinfo" });
    expect(podinfo?.spec?.chart?.spec?.version).toBe(">=1.0.0-alpha");
    expect(podinfo?.spec?.values?.httpRoute?.hostnames).toEqual(["podinfo.staging"]);
    expect(podinfo?.metadata.labels?.["kustomize.toolkit.fluxcd.io/name"]).toBe("apps");

    await teardown([
      { ...KS, name: "apps", namespace: FS },
      { ...KS, name: "infra-configs", namespace: FS },
      { ...KS, name: "infra-controllers", namespace: FS },
      { ...AG, name: FS, namespace: FS },
      { ...EA, name: "apps", namespace: FS },
      { ...EA, name: "infrastructure", namespace: FS },
      { ...OCI, name: "cert-manager", namespace: "cert-manager" },
      { ...OCI, name: "gateway-helm", namespace: "envoy-gateway-system" },
      { apiVersion: "cert-manager.io/v1", kind: "ClusterIssuer", name: "letsencrypt" },
    ]);
  }, 600_000);

  it("flux2-multi-tenancy, clusters/staging: Kyverno from OCI, policies, the dev-team tenant from its own branch, every Kustomization Ready", async () => {
    const repo = await git.createRepo("fluxcd/flux2-multi-tenancy");
    const main = await filesOf(join(DATA, "flux2-multi-tenancy"));
    await repo.commit({ files: main });
    const devTeam = await filesOf(join(DATA, "flux2-multi-tenancy-dev-team"));
    // The dev-team branch shares no files with main: those of main are removed on it.
    const devTeamOnly = Object.fromEntries(Object.keys(main).map((p) => [p, null]));
    const devTeamCommit = await repo.commit({ branch: "dev-team", files: { ...devTeamOnly, ...devTeam } });

    // What gotk-components.yaml would provide for `serviceAccountName: kustomize-controller`.
    await apply({
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: { name: "kustomize-controller", namespace: FS },
    });
    await apply({
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRoleBinding",
      metadata: { name: "flux-examples-kustomize-controller" },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "cluster-admin" },
      subjects: [{ kind: "ServiceAccount", name: "kustomize-controller", namespace: FS }],
    });
    await bootstrap(repo, { serviceAccountName: "kustomize-controller" });

    // mooring refuses to pull an artifact it was asked to verify without verifying it.
    const kyvernoRef = { ...OCI, name: "kyverno-controller", namespace: FS };
    const stalled = await eventually(
      "mooring to stall OCIRepository flux-system/kyverno-controller",
      async () => {
        const o = await readObject(kyvernoRef);
        return o !== undefined && conditionOf(o, "Stalled")?.status === "True" ? o : undefined;
      },
      async () => ({
        ociRepository: await readObject(kyvernoRef),
        kyvernoKustomization: (await read({ ...KS, name: "kyverno", namespace: FS }))?.status,
      }),
      { timeoutMs: 120_000 },
    );
    expect(conditionOf(stalled, "Stalled")?.message).toMatch(/spec\.verify/);
    expect(conditionOf(stalled, "Ready")?.status).toBe("False");
    kyvernoArtifact = await serveKyvernoArtifact();
    const generation = stalled.metadata?.generation ?? 1;
    const now = new Date().toISOString();
    const revision = `v1.14.4@${kyvernoArtifact.digest}`;
    const ready = (type: string, message: string) => ({
      type,
      status: "True",
      reason: "Succeeded",
      message,
      lastTransitionTime: now,
      observedGeneration: generation,
    });
    await patchStatus("ocirepositories.source.toolkit.fluxcd.io", "kyverno-controller", FS, {
      observedGeneration: generation,
      conditions: [
        ready(
          "Ready",
          `stored artifact for digest '${revision}' (stand-in written by mooring's flux-examples test)`,
        ),
        ready("ArtifactInStorage", `stored artifact for digest '${revision}'`),
      ],
      artifact: {
        path: `ocirepository/${FS}/kyverno-controller/${kyvernoArtifact.digest.slice(7)}.tar.gz`,
        url: kyvernoArtifact.url,
        revision,
        digest: kyvernoArtifact.digest,
        lastUpdateTime: now,
        size: kyvernoArtifact.size,
      },
    });
    await kubectlOk([
      "annotate",
      "--overwrite",
      "kustomization",
      "kyverno",
      "-n",
      FS,
      `reconcile.fluxcd.io/requestedAt=${Date.now()}`,
    ]);

    const names = ["flux-system", "kyverno", "kyverno-controller", "kyverno-policies", "tenants"];
    const [root, , kyvernoController] = await allReady(names.map((name) => ({ name, namespace: FS })));
    const [devTeamKs] = await allReady([{ name: "dev-team", namespace: "apps" }]);
    expect(await kustomizationsIn(FS)).toEqual([...names].sort());
    expect(await kustomizationsIn("apps")).toEqual(["dev-team"]);

    expect(root!.status?.lastAppliedRevision).toMatch(/^main@sha1:[0-9a-f]{40}$/);
    expect(kyvernoController!.status?.lastAppliedRevision).toBe(revision);
    // The tenant's GitRepository reached "github.com" (the stand-in) and its dev-team branch.
    const tenantSource = await read({ ...GR, name: "dev-team", namespace: "apps" });
    expect(tenantSource?.status?.artifact?.revision).toBe(`dev-team@sha1:${devTeamCommit}`);
    expect(devTeamKs!.status?.lastAppliedRevision).toBe(`dev-team@sha1:${devTeamCommit}`);
    expect(hosts.connections()).toContain("github.com");
    for (const policy of ["verify-flux-images", "verify-git-repositories"]) {
      expect(await read({ apiVersion: "kyverno.io/v1", kind: "ClusterPolicy", name: policy })).toBeDefined();
    }
    const release = await read({
      apiVersion: "helm.toolkit.fluxcd.io/v2beta1",
      kind: "HelmRelease",
      name: "podinfo",
      namespace: "apps",
    });
    expect(release?.spec?.values).toEqual({ replicaCount: 1 });
    expect(release?.metadata.labels?.["kustomize.toolkit.fluxcd.io/name"]).toBe("dev-team");

    await teardown([
      { ...KS, name: "tenants", namespace: FS },
      { ...KS, name: "kyverno-policies", namespace: FS },
      { ...KS, name: "kyverno", namespace: FS },
      { ...KS, name: "kyverno-controller", namespace: FS },
      kyvernoRef,
      { ...KS, name: "dev-team", namespace: "apps" },
      { ...GR, name: "dev-team", namespace: "apps" },
      { apiVersion: "kyverno.io/v1", kind: "ClusterPolicy", name: "verify-flux-images" },
    ]);
  }, 600_000);
});
