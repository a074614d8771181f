/**
 * The one registry of what mooring does with every spec field of its two CRDs (issue 15): each
 * field path is either implemented (naming the test files that prove it) or stalls the object with
 * a reason and a message that says it is not supported by mooring and what to do instead.
 * `field-support.test.ts` walks the CRD schemas and fails on a field with no entry, on an
 * implemented entry whose test files do not exist or never mention the field, and on a stall that
 * does not stall. Both reconcilers run {@link unsupportedField} as their first step.
 *
 * A field under an unconditional stall (e.g. `spec.kubeConfig.configMapRef.name`) needs no entry of its
 * own: the object never gets past the stall. When such a stall becomes `implemented(...)`, the
 * test lists the sub-fields that now need an entry too.
 */
import { Reason } from "./conditions.js";
import { SourceKind } from "./kustomization-parts.js";
import { SOURCE_KINDS, sourceKindInfo, UNSUPPORTED_SOURCE_KINDS } from "./source-kinds.js";

/** The `sourceRef.kind` values of Flux's enum that mooring has no controller for. */
const UNIMPLEMENTED_KINDS = Object.values(SourceKind).filter((k) => sourceKindInfo(k) === undefined);

/** A field mooring honours; `tests` are repository-relative test files that prove it. */
export interface ImplementedField {
  readonly support: "implemented";
  readonly tests: readonly string[];
}

/** A field that makes the object Stalled when {@link StalledField.when} holds for its value. */
export interface StalledField {
  readonly support: "stalled";
  readonly reason: string;
  /** Says the field is not supported by mooring and what to do instead. */
  readonly message: string;
  /** Which values stall; by default any set value (not absent, false, "" or []). */
  readonly when: (value: unknown) => boolean;
  /** A value that stalls, used by the test that proves the stall. */
  readonly example: unknown;
}

/** What mooring does with one field. */
export type FieldSupport = ImplementedField | StalledField;

/** Field path (`spec.a.b`, `[]` for array items) to its support. */
export type FieldRegistry = Readonly<Record<string, FieldSupport>>;

/** The stall found on an object: the field path, the reason and the message. */
export interface FieldStall {
  readonly path: string;
  readonly reason: string;
  readonly message: string;
}

/** Whether a value counts as set: Go's omitempty view (absent, null, false, "" and [] are unset). */
export function isSet(value: unknown): boolean {
  if (value === undefined || value === null || value === false || value === "") return false;
  return !(Array.isArray(value) && value.length === 0);
}

const implemented = (...tests: string[]): ImplementedField => ({ support: "implemented", tests });

/** How a stall is written: the field as users know it, the remedy, and what stalls. */
interface StallSpec {
  readonly field: string;
  readonly remedy: string;
  readonly example: unknown;
  readonly when?: (value: unknown) => boolean;
  /** Flux's reason where Flux has one; `UnsupportedField` otherwise. */
  readonly reason?: string;
}

function stalled(s: StallSpec): StalledField {
  return {
    support: "stalled",
    reason: s.reason ?? Reason.UnsupportedField,
    message: `${s.field} is not supported by mooring: ${s.remedy}`,
    when: s.when ?? isSet,
    example: s.example,
  };
}

const KS_CONTROLLER = "test/integration/kustomization-controller.test.ts";
const KS_RECONCILER = "src/kustomization/reconciler.test.ts";
const WRAPPER = "src/kustomization/flux-wrapper.test.ts";
const SUBSTITUTE = "src/substitute/substitute.test.ts";
const IGNORE_RULES = "src/apply/ignore-rules.test.ts";
const GIT_BASICS = "test/integration/gitrepository-basics.test.ts";
const GIT_CONTENT = "test/integration/gitrepository-content.test.ts";
const GIT_ERRORS = "test/integration/gitrepository-errors.test.ts";
const REF = "src/source/ref.test.ts";
const HEALTH = "src/kustomization/apply-steps.test.ts";
const REMOTE = "test/integration/kustomization-remote-cluster.test.ts";
const REMOTE_LOADER = "src/kustomization/remote-kubeconfig.test.ts";
const PROXY = "test/integration/gitrepository-proxy.test.ts";
const SSH = "test/integration/gitrepository-ssh.test.ts";
const VERIFY = "test/integration/gitrepository-verify.test.ts";
const CEL = "test/integration/kustomization-cel.test.ts";
const CEL_STEPS = "src/kustomization/cel-steps.test.ts";
const SOPS = "test/integration/kustomization-sops.test.ts";
const SOPS_BUILD = "test/unit/sops-kustomization.test.ts";
const OCI_BASICS = "test/integration/ocirepository-basics.test.ts";
const OCI_AUTH = "test/integration/ocirepository-auth.test.ts";
const OCI_REF = "src/source/oci/reference.test.ts";
const OCI_CREDS = "src/source/oci/credentials.test.ts";

/** `source.toolkit.fluxcd.io/v1` GitRepository. */
export const GIT_REPOSITORY_FIELDS: FieldRegistry = {
  "spec.url": implemented(GIT_BASICS, "src/source/git-auth.test.ts", SSH),
  "spec.secretRef": implemented(GIT_ERRORS, SSH),
  "spec.secretRef.name": implemented(GIT_ERRORS, SSH),
  "spec.provider": stalled({
    field: "spec.provider (other than 'generic')",
    remedy:
      "cloud and GitHub App authentication are not implemented; use provider 'generic' with a token in spec.secretRef ('bearerToken', or 'username' and 'password')",
    example: "github",
    when: (v) => isSet(v) && v !== "generic",
  }),
  "spec.serviceAccountName": stalled({
    field: "spec.serviceAccountName (workload identity)",
    remedy: "remove it and put a token in spec.secretRef instead",
    example: "git-reader",
  }),
  "spec.interval": implemented(GIT_BASICS),
  "spec.timeout": implemented(GIT_BASICS),
  "spec.ref": implemented(GIT_BASICS, REF),
  "spec.ref.branch": implemented(GIT_BASICS, REF),
  "spec.ref.tag": implemented(GIT_BASICS, REF),
  "spec.ref.semver": implemented(GIT_BASICS, REF),
  "spec.ref.name": implemented(REF),
  "spec.ref.commit": implemented(GIT_BASICS, REF),
  "spec.verify": implemented(VERIFY, "src/source/gitrepository-state.test.ts"),
  "spec.verify.mode": implemented(VERIFY),
  "spec.verify.secretRef": implemented(VERIFY),
  "spec.verify.secretRef.name": implemented(VERIFY),
  "spec.proxySecretRef": implemented(PROXY, "src/source/git-proxy.test.ts"),
  "spec.proxySecretRef.name": implemented(PROXY),
  "spec.ignore": implemented("src/source/ignore.test.ts", "src/source/gitrepository-state.test.ts"),
  "spec.suspend": implemented(GIT_BASICS),
  "spec.recurseSubmodules": stalled({
    field: "spec.recurseSubmodules",
    remedy: "set it to false and add each submodule as its own GitRepository, combined with spec.include",
    example: true,
  }),
  "spec.include": implemented(GIT_CONTENT),
  "spec.include[].repository": implemented(GIT_CONTENT),
  "spec.include[].repository.name": implemented(GIT_CONTENT),
  "spec.include[].fromPath": implemented(GIT_CONTENT),
  "spec.include[].toPath": implemented(GIT_CONTENT, "src/source/include-copy.test.ts"),
  "spec.sparseCheckout": implemented(GIT_CONTENT),
};

/** `source.toolkit.fluxcd.io/v1` OCIRepository. */
export const OCI_REPOSITORY_FIELDS: FieldRegistry = {
  "spec.url": implemented(OCI_BASICS, OCI_REF),
  "spec.ref": implemented(OCI_BASICS, OCI_REF),
  "spec.ref.digest": implemented(OCI_BASICS, OCI_REF),
  "spec.ref.semver": implemented(OCI_BASICS, OCI_REF),
  "spec.ref.semverFilter": implemented(OCI_BASICS, OCI_REF),
  "spec.ref.tag": implemented(OCI_BASICS, OCI_REF),
  "spec.layerSelector": implemented(OCI_BASICS),
  "spec.layerSelector.mediaType": implemented(OCI_BASICS),
  "spec.layerSelector.operation": implemented(OCI_BASICS),
  "spec.provider": stalled({
    field: "spec.provider (other than 'generic')",
    remedy:
      "cloud registry authentication (aws, azure, gcp workload identity) is not implemented; use provider 'generic' with a kubernetes.io/dockerconfigjson Secret in spec.secretRef",
    example: "aws",
    when: (v) => isSet(v) && v !== "generic",
  }),
  "spec.secretRef": implemented(OCI_AUTH, OCI_CREDS),
  "spec.secretRef.name": implemented(OCI_AUTH),
  "spec.verify": stalled({
    field: "spec.verify (cosign and notation signature verification)",
    remedy:
      "signature verification is not implemented, and mooring will not pull an artifact it was asked to verify without verifying it; remove spec.verify only if the registry is trusted, or use Flux's source-controller for signed artifacts",
    example: { provider: "cosign" },
  }),
  "spec.serviceAccountName": implemented(OCI_AUTH),
  "spec.certSecretRef": implemented(OCI_AUTH),
  "spec.certSecretRef.name": implemented(OCI_AUTH),
  "spec.proxySecretRef": implemented(OCI_AUTH),
  "spec.proxySecretRef.name": implemented(OCI_AUTH),
  "spec.interval": implemented(OCI_BASICS),
  "spec.timeout": implemented(OCI_BASICS),
  "spec.ignore": implemented(OCI_BASICS),
  "spec.insecure": implemented(OCI_BASICS, OCI_AUTH),
  "spec.suspend": implemented(OCI_BASICS),
};

/** `kustomize.toolkit.fluxcd.io/v1` Kustomization. */
export const KUSTOMIZATION_FIELDS: FieldRegistry = {
  "spec.sourceRef": implemented(KS_CONTROLLER),
  "spec.sourceRef.apiVersion": implemented(KS_RECONCILER),
  "spec.sourceRef.kind": stalled({
    field: `spec.sourceRef.kind (${UNIMPLEMENTED_KINDS.join(", ")})`,
    remedy: `the source kinds mooring implements are ${Object.keys(SOURCE_KINDS).join(", ")}; ${UNSUPPORTED_SOURCE_KINDS.Bucket ?? ""}`,
    example: SourceKind.Bucket,
    when: (v) => isSet(v) && sourceKindInfo(String(v)) === undefined,
    reason: Reason.ArtifactFailed,
  }),
  "spec.sourceRef.name": implemented(KS_CONTROLLER),
  "spec.sourceRef.namespace": implemented(KS_RECONCILER),
  "spec.path": implemented(KS_CONTROLLER),
  "spec.interval": implemented(KS_CONTROLLER),
  "spec.retryInterval": implemented(KS_CONTROLLER, KS_RECONCILER),
  "spec.timeout": implemented(KS_CONTROLLER),
  "spec.prune": implemented(KS_CONTROLLER),
  "spec.deletionPolicy": implemented(KS_RECONCILER),
  "spec.wait": implemented(KS_CONTROLLER),
  "spec.healthChecks": implemented(HEALTH),
  "spec.healthChecks[].apiVersion": implemented(HEALTH),
  "spec.healthChecks[].kind": implemented(HEALTH),
  "spec.healthChecks[].name": implemented(HEALTH),
  "spec.healthChecks[].namespace": implemented(HEALTH),
  "spec.healthCheckExprs": implemented(CEL, CEL_STEPS),
  "spec.healthCheckExprs[].apiVersion": implemented(CEL, CEL_STEPS),
  "spec.healthCheckExprs[].kind": implemented(CEL, CEL_STEPS),
  "spec.healthCheckExprs[].current": implemented(CEL, CEL_STEPS),
  "spec.healthCheckExprs[].inProgress": implemented(CEL, "src/apply/health/cel-status.test.ts"),
  "spec.healthCheckExprs[].failed": implemented(CEL, CEL_STEPS),
  "spec.dependsOn": implemented(KS_CONTROLLER, KS_RECONCILER),
  "spec.dependsOn[].name": implemented(KS_CONTROLLER, KS_RECONCILER),
  "spec.dependsOn[].namespace": implemented(KS_RECONCILER),
  "spec.dependsOn[].readyExpr": implemented(CEL, CEL_STEPS),
  "spec.targetNamespace": implemented(WRAPPER),
  "spec.namePrefix": implemented(WRAPPER),
  "spec.nameSuffix": implemented(WRAPPER),
  "spec.patches": implemented(WRAPPER),
  "spec.patches[].patch": implemented(WRAPPER),
  "spec.patches[].target": implemented(WRAPPER),
  "spec.patches[].target.group": implemented(WRAPPER),
  "spec.patches[].target.version": implemented(WRAPPER),
  "spec.patches[].target.kind": implemented(WRAPPER),
  "spec.patches[].target.name": implemented(WRAPPER),
  "spec.patches[].target.namespace": implemented(WRAPPER),
  "spec.patches[].target.annotationSelector": implemented(WRAPPER),
  "spec.patches[].target.labelSelector": implemented(WRAPPER),
  "spec.images": implemented(WRAPPER),
  "spec.images[].name": implemented(WRAPPER),
  "spec.images[].newName": implemented(WRAPPER),
  "spec.images[].newTag": implemented(WRAPPER),
  "spec.images[].digest": implemented(WRAPPER),
  "spec.components": implemented(WRAPPER),
  "spec.ignoreMissingComponents": implemented(WRAPPER),
  "spec.buildMetadata": implemented(WRAPPER),
  "spec.commonMetadata": implemented("src/apply/normalize.test.ts"),
  "spec.commonMetadata.labels": implemented("src/apply/normalize.test.ts"),
  "spec.commonMetadata.annotations": implemented("src/apply/normalize.test.ts"),
  "spec.postBuild": implemented(SUBSTITUTE),
  "spec.postBuild.substitute": implemented(SUBSTITUTE),
  "spec.postBuild.substituteFrom": implemented(SUBSTITUTE),
  "spec.postBuild.substituteFrom[].kind": implemented(SUBSTITUTE),
  "spec.postBuild.substituteFrom[].name": implemented(SUBSTITUTE),
  "spec.postBuild.substituteFrom[].optional": implemented("src/substitute/variables.test.ts"),
  "spec.postBuild.substituteStrategy": implemented(SUBSTITUTE),
  "spec.serviceAccountName": implemented("src/kustomization/run.test.ts"),
  "spec.kubeConfig": implemented(REMOTE, REMOTE_LOADER),
  "spec.kubeConfig.secretRef": implemented(REMOTE, REMOTE_LOADER),
  "spec.kubeConfig.secretRef.name": implemented(REMOTE),
  "spec.kubeConfig.secretRef.key": implemented(REMOTE_LOADER),
  "spec.kubeConfig.configMapRef": stalled({
    field: "spec.kubeConfig.configMapRef (workload identity)",
    remedy:
      "put a kubeconfig with inline credentials in a Secret and reference it with spec.kubeConfig.secretRef",
    example: { name: "cluster" },
  }),
  "spec.decryption": implemented(SOPS, SOPS_BUILD),
  "spec.decryption.provider": implemented(SOPS),
  "spec.decryption.secretRef": implemented(SOPS, SOPS_BUILD),
  "spec.decryption.secretRef.name": implemented(SOPS),
  "spec.decryption.serviceAccountName": stalled({
    field: "spec.decryption.serviceAccountName (cloud KMS workload identity)",
    remedy:
      "cloud KMS decryption is not implemented; encrypt with age or OpenPGP keys and put them in spec.decryption.secretRef",
    example: "sops-kms",
  }),
  "spec.force": implemented(KS_CONTROLLER),
  "spec.suspend": implemented(KS_CONTROLLER, KS_RECONCILER),
  "spec.ignore": implemented(IGNORE_RULES),
  "spec.ignore[].paths": implemented(IGNORE_RULES),
  "spec.ignore[].target": implemented(IGNORE_RULES),
  "spec.ignore[].target.group": implemented(IGNORE_RULES),
  "spec.ignore[].target.version": implemented(IGNORE_RULES),
  "spec.ignore[].target.kind": implemented(IGNORE_RULES),
  "spec.ignore[].target.name": implemented(IGNORE_RULES),
  "spec.ignore[].target.namespace": implemented(IGNORE_RULES),
  "spec.ignore[].target.annotationSelector": implemented(IGNORE_RULES),
  "spec.ignore[].target.labelSelector": implemented(IGNORE_RULES),
};

/** Every value at `path` in `obj` (`[]` steps into each array item). */
export function valuesAt(obj: unknown, path: string): unknown[] {
  let current: unknown[] = [obj];
  for (const step of path.split(".")) {
    const items = step.endsWith("[]");
    const key = items ? step.slice(0, -2) : step;
    const next: unknown[] = [];
    for (const c of current) {
      if (c === null || typeof c !== "object") continue;
      const v = (c as Record<string, unknown>)[key];
      if (items && Array.isArray(v)) next.push(...(v as unknown[]));
      else if (!items && v !== undefined) next.push(v);
    }
    current = next;
  }
  return current;
}

/** The first stalled field set on `obj`, in registry order, or undefined when all are supported. */
export function unsupportedField(obj: unknown, registry: FieldRegistry): FieldStall | undefined {
  for (const [path, entry] of Object.entries(registry)) {
    if (entry.support !== "stalled") continue;
    if (valuesAt(obj, path).some(entry.when)) {
      return { path, reason: entry.reason, message: entry.message };
    }
  }
  return undefined;
}
