import { describe, expect, it } from "vitest";
import {
  ABNORMAL_TRUE_CONDITIONS,
  ConditionType,
  GIT_REPOSITORY_OWNED_CONDITIONS,
  GIT_REPOSITORY_READY_PRIORITY,
  KUSTOMIZATION_OWNED_CONDITIONS,
  Reason,
} from "./conditions.js";

// Every reason flux-compat names for GitRepository (§1.4, §6.2) and Kustomization (§3.3).
const GIT_REPOSITORY_REASONS = [
  "Succeeded",
  "Progressing",
  "ProgressingWithRetry",
  "URLInvalid",
  "InvalidProviderConfiguration",
  "FeatureGateDisabled",
  "InvalidVerificationMode",
  "NewRevision",
  "IncludeChange",
  "AuthenticationFailed",
  "GitOperationFailed",
  "EmptyGitRepository",
  "NotFound",
  "NoArtifact",
  "DirectoryCreationFailed",
  "StatOperationFailed",
  "InvalidPath",
  "ArchiveOperationFailed",
  "IllegalPath",
  "CopyFailure",
  "VerificationError",
  "InvalidCommitSignature",
  "InvalidTagSignature",
  "InvalidGitObject",
  "ReadOperationFailed",
  "AcquireLockFailed",
  "SymlinkUpdateFailed",
  "ArtifactUpToDate",
  "CacheOperationFailed",
  "PatchOperationFailed",
  "InvalidSTSConfiguration",
  "GitOperationSucceeded",
  "SourceIgnoreError",
  "GarbageCollectionFailed",
  "Failed",
  "NewArtifact",
  "GarbageCollectionSucceeded",
  "ArtifactVerificationFailed",
];
const KUSTOMIZATION_REASONS = [
  "Progressing",
  "ProgressingWithRetry",
  "ReconciliationSucceeded",
  "ArtifactFailed",
  "DependencyNotReady",
  "BuildFailed",
  "ReconciliationFailed",
  "PruneFailed",
  "HealthCheckFailed",
  "HealthCheckCanceled",
  "InvalidCELExpression",
  "AccessDenied",
  "FeatureGateDisabled",
  "DirectoryCreationFailed",
  "Succeeded",
];

describe("condition catalogue", () => {
  it("names each constant after its value, so `Reason.X` is always the string X", () => {
    for (const [k, v] of Object.entries(Reason)) expect(v).toBe(k);
    for (const [k, v] of Object.entries(ConditionType)) expect(v).toBe(k);
  });

  it.each([...new Set([...GIT_REPOSITORY_REASONS, ...KUSTOMIZATION_REASONS])])("has reason %s", (reason) => {
    expect(Object.values(Reason)).toContain(reason);
  });

  it("owned and priority lists use catalogue types; Ready is positive, failures abnormal-true", () => {
    const all = [
      ...GIT_REPOSITORY_OWNED_CONDITIONS,
      ...GIT_REPOSITORY_READY_PRIORITY,
      ...KUSTOMIZATION_OWNED_CONDITIONS,
    ];
    for (const t of all) expect(Object.values(ConditionType)).toContain(t);
    expect(ABNORMAL_TRUE_CONDITIONS.has(ConditionType.Ready)).toBe(false);
    expect(ABNORMAL_TRUE_CONDITIONS.has(ConditionType.ArtifactInStorage)).toBe(false);
    expect(ABNORMAL_TRUE_CONDITIONS.has(ConditionType.SourceVerified)).toBe(false);
    expect(ABNORMAL_TRUE_CONDITIONS.has(ConditionType.FetchFailed)).toBe(true);
    expect(ABNORMAL_TRUE_CONDITIONS.has(ConditionType.Stalled)).toBe(true);
  });
});
