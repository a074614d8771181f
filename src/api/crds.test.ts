/**
 * The CRD YAML in crds/ and the TypeScript API must agree: names, enums, defaults and the
 * condition catalogue where they overlap, and every Flux v1 field of flux-compat §1.1/§1.3/§3.1/
 * §3.2 must exist in the schema (issue 2, item 5).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  type Artifact,
  BuildMetadataOption,
  type Condition,
  type DriftCorrection,
  type MooringStatus,
  CONDITION_MESSAGE_MAX_LENGTH,
  CONDITION_REASON_PATTERN,
  ConditionType,
  DeletionPolicy,
  DISABLED_VALUE,
  GIT_REPOSITORY,
  GIT_REPOSITORY_DEFAULT_TIMEOUT,
  GitProvider,
  type GitRepositorySpec,
  type GitRepositoryStatus,
  GitVerificationMode,
  KUSTOMIZATION,
  type KustomizationSpec,
  OCI_REPOSITORY,
  type KustomizationStatus,
  OBJECT_KEYS,
  Reason,
  SourceKind,
  SubstituteStrategy,
} from "./index.js";

type Schema = {
  type?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  additionalProperties?: Schema;
  enum?: string[];
  pattern?: string;
  default?: unknown;
  required?: string[];
  maxLength?: number;
  minLength?: number;
  "x-kubernetes-validations"?: { rule: string; message: string }[];
};

const crdDir = join(import.meta.dirname, "..", "..", "crds");
type Crd = {
  metadata: { name: string; annotations: Record<string, string> };
  spec: {
    group: string;
    scope: string;
    names: unknown;
    versions: {
      name: string;
      served: boolean;
      storage: boolean;
      subresources: unknown;
      additionalPrinterColumns: unknown[];
      schema: { openAPIV3Schema: Schema };
    }[];
  };
};
const load = (name: string): Crd => parse(readFileSync(join(crdDir, `${name}.yaml`), "utf8")) as Crd;
const gitCrd = load(GIT_REPOSITORY.crdName);
const ksCrd = load(KUSTOMIZATION.crdName);
const rootOf = (crd: Crd): Schema => crd.spec.versions[0]!.schema.openAPIV3Schema;

/** Follows a dotted path; `[]` steps into array items, e.g. `spec.include[].repository.name`. */
function node(root: Schema, path: string): Schema | undefined {
  let cur: Schema | undefined = root;
  for (const part of path.split(".")) {
    const isArray = part.endsWith("[]");
    cur = cur?.properties?.[isArray ? part.slice(0, -2) : part];
    if (isArray) cur = cur?.type === "array" ? cur.items : undefined;
  }
  return cur;
}

// Field paths from flux-compat §1.1 and §1.3.
const GIT_REPOSITORY_FIELDS = [
  "spec.url",
  "spec.secretRef.name",
  "spec.provider",
  "spec.serviceAccountName",
  "spec.interval",
  "spec.timeout",
  "spec.ref.branch",
  "spec.ref.tag",
  "spec.ref.semver",
  "spec.ref.name",
  "spec.ref.commit",
  "spec.verify.mode",
  "spec.verify.secretRef.name",
  "spec.proxySecretRef.name",
  "spec.ignore",
  "spec.suspend",
  "spec.recurseSubmodules",
  "spec.include[].repository.name",
  "spec.include[].fromPath",
  "spec.include[].toPath",
  "spec.sparseCheckout[]",
  "status.observedGeneration",
  "status.conditions[].type",
  "status.artifact.path",
  "status.artifact.url",
  "status.artifact.revision",
  "status.artifact.digest",
  "status.artifact.lastUpdateTime",
  "status.artifact.size",
  "status.artifact.metadata",
  "status.includedArtifacts[].digest",
  "status.observedIgnore",
  "status.observedRecurseSubmodules",
  "status.observedInclude[].repository.name",
  "status.observedSparseCheckout[]",
  "status.sourceVerificationMode",
  "status.lastHandledReconcileAt",
];

// Field paths from flux-compat §3.1 and §3.2.
const KUSTOMIZATION_FIELDS = [
  "spec.sourceRef.apiVersion",
  "spec.sourceRef.kind",
  "spec.sourceRef.name",
  "spec.sourceRef.namespace",
  "spec.path",
  "spec.interval",
  "spec.retryInterval",
  "spec.timeout",
  "spec.prune",
  "spec.deletionPolicy",
  "spec.wait",
  "spec.healthChecks[].apiVersion",
  "spec.healthChecks[].kind",
  "spec.healthChecks[].name",
  "spec.healthChecks[].namespace",
  "spec.healthCheckExprs[].apiVersion",
  "spec.healthCheckExprs[].kind",
  "spec.healthCheckExprs[].current",
  "spec.healthCheckExprs[].inProgress",
  "spec.healthCheckExprs[].failed",
  "spec.dependsOn[].name",
  "spec.dependsOn[].namespace",
  "spec.dependsOn[].readyExpr",
  "spec.targetNamespace",
  "spec.namePrefix",
  "spec.nameSuffix",
  "spec.patches[].patch",
  ...["group", "version", "kind", "name", "namespace", "labelSelector", "annotationSelector"].flatMap((f) => [
    `spec.patches[].target.${f}`,
    `spec.ignore[].target.${f}`,
  ]),
  "spec.images[].name",
  "spec.images[].newName",
  "spec.images[].newTag",
  "spec.images[].digest",
  "spec.components[]",
  "spec.ignoreMissingComponents",
  "spec.buildMetadata[]",
  "spec.commonMetadata.labels",
  "spec.commonMetadata.annotations",
  "spec.postBuild.substitute",
  "spec.postBuild.substituteFrom[].kind",
  "spec.postBuild.substituteFrom[].name",
  "spec.postBuild.substituteFrom[].optional",
  "spec.postBuild.substituteStrategy",
  "spec.serviceAccountName",
  "spec.kubeConfig.secretRef.name",
  "spec.kubeConfig.secretRef.key",
  "spec.kubeConfig.configMapRef.name",
  "spec.decryption.provider",
  "spec.decryption.secretRef.name",
  "spec.decryption.serviceAccountName",
  "spec.force",
  "spec.suspend",
  "spec.ignore[].paths[]",
  "status.observedGeneration",
  "status.conditions[].reason",
  "status.lastAppliedRevision",
  "status.lastAppliedOriginRevision",
  "status.lastAttemptedRevision",
  "status.lastHandledReconcileAt",
  "status.inventory.entries[].id",
  "status.inventory.entries[].v",
  "status.history[].digest",
  "status.history[].firstReconciled",
  "status.history[].lastReconciled",
  "status.history[].lastReconciledDuration",
  "status.history[].lastReconciledStatus",
  "status.history[].totalReconciliations",
  "status.history[].metadata",
];

const INTERVAL = "^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$";

describe("CRD schemas carry every Flux v1 field", () => {
  it.each(GIT_REPOSITORY_FIELDS)("GitRepository %s", (path) => {
    expect(node(rootOf(gitCrd), path), path).toBeDefined();
  });
  it.each(KUSTOMIZATION_FIELDS)("Kustomization %s", (path) => {
    expect(node(rootOf(ksCrd), path), path).toBeDefined();
  });
});

describe("CRD names match src/api constants", () => {
  it.each([
    [gitCrd, GIT_REPOSITORY],
    [ksCrd, KUSTOMIZATION],
  ] as const)("%#", (crd, names) => {
    expect(crd.metadata.name).toBe(names.crdName);
    expect(crd.spec.group).toBe(names.group);
    expect(crd.spec.scope).toBe("Namespaced");
    expect(crd.spec.names).toEqual({
      kind: names.kind,
      listKind: names.listKind,
      plural: names.plural,
      singular: names.singular,
      shortNames: names.shortNames,
      categories: names.categories,
    });
    expect(crd.spec.versions.map((v) => [v.name, v.served, v.storage])).toEqual([
      [names.version, true, true],
    ]);
    expect(crd.spec.versions[0]!.subresources).toEqual({ status: {} });
    expect(crd.metadata.annotations[OBJECT_KEYS.substitute]).toBe(DISABLED_VALUE);
    expect(rootOf(crd).properties!.status!.default).toEqual({ observedGeneration: -1 });
  });
});

describe("OCIRepository serves Flux's deprecated v1beta2 next to v1", () => {
  const oci = load(OCI_REPOSITORY.crdName) as Crd & {
    spec: { versions: { deprecated?: boolean; deprecationWarning?: string }[] };
  };
  it("stores v1 and serves v1beta2 with the same schema, so v1beta2 manifests apply unchanged", () => {
    expect(oci.spec.versions.map((v) => [v.name, v.served, v.storage])).toEqual([
      [OCI_REPOSITORY.version, true, true],
      ["v1beta2", true, false],
    ]);
    const [v1, v1beta2] = oci.spec.versions;
    expect(v1beta2!.deprecated).toBe(true);
    expect(v1beta2!.deprecationWarning).toMatch(/v1beta2 OCIRepository is deprecated, upgrade to v1/);
    // No conversion webhook: the API server only rewrites apiVersion, which needs identical schemas.
    expect(v1beta2!.schema).toEqual(v1!.schema);
    expect(v1beta2!.subresources).toEqual(v1!.subresources);
    expect(v1beta2!.additionalPrinterColumns).toEqual(v1!.additionalPrinterColumns);
  });
});

describe("printer columns read the catalogue's Ready condition", () => {
  const ready = `.status.conditions[?(@.type=="${ConditionType.Ready}")]`;
  const common = [
    { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" },
    { name: "Ready", type: "string", jsonPath: `${ready}.status` },
    { name: "Status", type: "string", jsonPath: `${ready}.message` },
  ];
  it("GitRepository: URL, Age, Ready, Status", () => {
    expect(gitCrd.spec.versions[0]!.additionalPrinterColumns).toEqual([
      { name: "URL", type: "string", jsonPath: ".spec.url" },
      ...common,
    ]);
  });
  it("Kustomization: Age, Ready, Status", () => {
    expect(ksCrd.spec.versions[0]!.additionalPrinterColumns).toEqual(common);
  });
});

describe("enums and defaults match src/api", () => {
  const git = rootOf(gitCrd);
  const ks = rootOf(ksCrd);
  it("GitRepository", () => {
    expect(node(git, "spec.provider")!.enum).toEqual(Object.values(GitProvider));
    expect(node(git, "spec.verify.mode")!.enum).toEqual(Object.values(GitVerificationMode));
    expect(node(git, "spec.verify.mode")!.default).toBe(GitVerificationMode.HEAD);
    expect(node(git, "spec.timeout")!.default).toBe(GIT_REPOSITORY_DEFAULT_TIMEOUT);
    expect(node(git, "spec.timeout")!.pattern).toBe("^([0-9]+(\\.[0-9]+)?(ms|s|m))+$");
    expect(node(git, "spec.interval")!.pattern).toBe(INTERVAL);
    expect(node(git, "spec.url")!.pattern).toBe("^(http|https|ssh)://.*$");
    expect(git.properties!.spec!.required).toEqual(["interval", "url"]);
    expect(git.properties!.spec!["x-kubernetes-validations"]![0]!.message).toContain("serviceAccountName");
  });
  it("Kustomization", () => {
    expect(node(ks, "spec.sourceRef.kind")!.enum).toEqual(Object.values(SourceKind));
    expect(node(ks, "spec.deletionPolicy")!.enum).toEqual(Object.values(DeletionPolicy));
    expect(node(ks, "spec.postBuild.substituteStrategy")!.enum).toEqual(Object.values(SubstituteStrategy));
    expect(node(ks, "spec.buildMetadata[]")!.enum).toEqual(Object.values(BuildMetadataOption));
    for (const f of ["interval", "retryInterval", "timeout"])
      expect(node(ks, `spec.${f}`)!.pattern).toBe(INTERVAL);
    expect(node(ks, "spec.force")!.default).toBe(false);
    expect(ks.properties!.spec!.required).toEqual(["interval", "prune", "sourceRef"]);
    expect(node(ks, "spec.targetNamespace")).toMatchObject({ minLength: 1, maxLength: 63 });
    expect(node(ks, "spec.kubeConfig")!["x-kubernetes-validations"]).toHaveLength(2);
  });
  it.each([
    ["GitRepository", gitCrd],
    ["Kustomization", ksCrd],
  ])("%s conditions schema agrees with the catalogue limits", (_kind, crd) => {
    const reason = node(rootOf(crd), "status.conditions[].reason")!;
    expect(reason.pattern).toBe(CONDITION_REASON_PATTERN.source);
    expect(node(rootOf(crd), "status.conditions[].message")!.maxLength).toBe(CONDITION_MESSAGE_MAX_LENGTH);
    const typePattern = new RegExp(node(rootOf(crd), "status.conditions[].type")!.pattern!);
    for (const t of Object.values(ConditionType)) expect(t).toMatch(typePattern);
    for (const r of Object.values(Reason)) expect(r).toMatch(CONDITION_REASON_PATTERN);
  });
});

describe("every schema node is structural", () => {
  function walk(s: Schema, path: string, out: string[]): void {
    if (!s.type && path !== "") out.push(path);
    for (const [k, v] of Object.entries(s.properties ?? {})) walk(v, `${path}.${k}`, out);
    if (s.items) walk(s.items, `${path}[]`, out);
    if (s.additionalProperties) walk(s.additionalProperties, `${path}{}`, out);
  }
  it.each([
    ["GitRepository", gitCrd],
    ["Kustomization", ksCrd],
  ])("%s: every node has a type", (_kind, crd) => {
    const untyped: string[] = [];
    walk(rootOf(crd), "", untyped);
    expect(untyped).toEqual([]);
  });
});

describe("TypeScript types and CRD properties name the same fields", () => {
  // Record<keyof T, true> literals fail to compile if a key is missing or unknown, so these
  // lists are checked against the types by tsc and against the YAML here.
  const gitSpec: Record<keyof GitRepositorySpec, true> = {
    url: true,
    secretRef: true,
    provider: true,
    serviceAccountName: true,
    interval: true,
    timeout: true,
    ref: true,
    verify: true,
    proxySecretRef: true,
    ignore: true,
    suspend: true,
    recurseSubmodules: true,
    include: true,
    sparseCheckout: true,
  };
  const gitStatus: Record<keyof GitRepositoryStatus, true> = {
    observedGeneration: true,
    conditions: true,
    artifact: true,
    includedArtifacts: true,
    observedIgnore: true,
    observedRecurseSubmodules: true,
    observedInclude: true,
    observedSparseCheckout: true,
    sourceVerificationMode: true,
    lastHandledReconcileAt: true,
  };
  const artifact: Record<keyof Artifact, true> = {
    path: true,
    url: true,
    revision: true,
    digest: true,
    lastUpdateTime: true,
    size: true,
    metadata: true,
  };
  const ksSpec: Record<keyof KustomizationSpec, true> = {
    sourceRef: true,
    path: true,
    interval: true,
    retryInterval: true,
    timeout: true,
    prune: true,
    deletionPolicy: true,
    wait: true,
    healthChecks: true,
    healthCheckExprs: true,
    dependsOn: true,
    targetNamespace: true,
    namePrefix: true,
    nameSuffix: true,
    patches: true,
    images: true,
    components: true,
    ignoreMissingComponents: true,
    buildMetadata: true,
    commonMetadata: true,
    postBuild: true,
    serviceAccountName: true,
    kubeConfig: true,
    decryption: true,
    force: true,
    suspend: true,
    ignore: true,
  };
  const ksStatus: Record<keyof KustomizationStatus, true> = {
    observedGeneration: true,
    conditions: true,
    lastAppliedRevision: true,
    lastAppliedOriginRevision: true,
    lastAttemptedRevision: true,
    lastHandledReconcileAt: true,
    inventory: true,
    history: true,
    mooring: true,
  };
  const mooringStatus: Record<keyof MooringStatus, true> = { driftCorrections: true };
  const driftCorrection: Record<keyof DriftCorrection, true> = {
    time: true,
    apiVersion: true,
    kind: true,
    namespace: true,
    name: true,
    fields: true,
    managers: true,
    revision: true,
  };
  const condition: Record<keyof Condition, true> = {
    type: true,
    status: true,
    observedGeneration: true,
    lastTransitionTime: true,
    reason: true,
    message: true,
  };
  const keys = (s: Schema | undefined): string[] => Object.keys(s?.properties ?? {}).sort();
  it.each([
    ["GitRepository spec", rootOf(gitCrd), "spec", gitSpec],
    ["GitRepository status", rootOf(gitCrd), "status", gitStatus],
    ["GitRepository artifact", rootOf(gitCrd), "status.artifact", artifact],
    ["GitRepository includedArtifacts", rootOf(gitCrd), "status.includedArtifacts[]", artifact],
    ["GitRepository condition", rootOf(gitCrd), "status.conditions[]", condition],
    ["Kustomization spec", rootOf(ksCrd), "spec", ksSpec],
    ["Kustomization status", rootOf(ksCrd), "status", ksStatus],
    ["Kustomization condition", rootOf(ksCrd), "status.conditions[]", condition],
    ["Kustomization mooring status", rootOf(ksCrd), "status.mooring", mooringStatus],
    ["Kustomization drift corrections", rootOf(ksCrd), "status.mooring.driftCorrections[]", driftCorrection],
  ] as const)("%s", (_what, root, path, fields) => {
    expect(keys(node(root, path))).toEqual(Object.keys(fields).sort());
  });
});
