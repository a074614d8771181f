import { describe, expect, it } from "vitest";
import {
  ConditionType,
  GIT_REPOSITORY_READY_PRIORITY,
  OCI_REPOSITORY_READY_PRIORITY,
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

  it("priority lists use catalogue types", () => {
    const all = [...GIT_REPOSITORY_READY_PRIORITY, ...OCI_REPOSITORY_READY_PRIORITY];
    for (const t of all) expect(Object.values(ConditionType)).toContain(t);
  });
});
