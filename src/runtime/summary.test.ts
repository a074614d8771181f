import { describe, expect, it } from "vitest";
import { getCondition, markFalse, markTrue, markUnknown, type ConditionedObject } from "./conditions.js";
import { computeSummary, summarize, type SummarySpec } from "./summary.js";

const now = new Date("2026-01-01T00:00:00Z");
const gitSpec: SummarySpec = {
  priority: [
    "StorageOperationFailed",
    "FetchFailed",
    "IncludeUnavailable",
    "ArtifactOutdated",
    "ArtifactInStorage",
    "SourceVerified",
    "Stalled",
    "Reconciling",
  ],
  negativePolarity: [
    "StorageOperationFailed",
    "FetchFailed",
    "IncludeUnavailable",
    "ArtifactOutdated",
    "Stalled",
    "Reconciling",
  ],
  biPolarity: ["SourceVerified"],
};
const base: ConditionedObject = { metadata: { generation: 1 } };
const t = (o: ConditionedObject, type: string, reason = type) =>
  markTrue(o, type, { reason, message: `${type} msg`, now });

describe("Ready summary", () => {
  it.each<[string, (o: ConditionedObject) => ConditionedObject, string, string]>([
    [
      "P0 abnormal True wins over positive True",
      (o) => t(t(o, "ArtifactInStorage", "Succeeded"), "FetchFailed", "AuthenticationFailed"),
      "False",
      "AuthenticationFailed",
    ],
    [
      "priority order decides within P0",
      (o) => t(t(o, "Reconciling", "ProgressingWithRetry"), "FetchFailed", "GitOperationFailed"),
      "False",
      "GitOperationFailed",
    ],
    [
      "storage failure outranks fetch failure",
      (o) => t(t(o, "FetchFailed", "F"), "StorageOperationFailed", "S"),
      "False",
      "S",
    ],
    ["P2 positive True gives Ready True", (o) => t(o, "ArtifactInStorage", "Succeeded"), "True", "Succeeded"],
    [
      "P1 positive False beats P2",
      (o) =>
        markFalse(t(o, "ArtifactInStorage", "Succeeded"), "SourceVerified", {
          reason: "InvalidCommitSignature",
          message: "m",
          now,
        }),
      "False",
      "InvalidCommitSignature",
    ],
    [
      "P4 Unknown only",
      (o) => markUnknown(o, "ArtifactInStorage", { reason: "Progressing", message: "m", now }),
      "Unknown",
      "Progressing",
    ],
    [
      "P3 abnormal False counts as good",
      (o) => markFalse(o, "FetchFailed", { reason: "Ok", message: "m", now }),
      "True",
      "Ok",
    ],
  ])("%s", (_name, build, status, reason) => {
    const o = summarize(build(base), gitSpec, now);
    expect(getCondition(o, "Ready")).toMatchObject({ status, reason });
  });

  it("ignores unlisted conditions and leaves Ready alone when nothing is listed", () => {
    expect(computeSummary(t(base, "Other").status?.conditions ?? [], gitSpec)).toBeUndefined();
    const o = summarize(t(base, "Other"), gitSpec, now);
    expect(getCondition(o, "Ready")).toBeUndefined();
  });

  it("a failed bipolar condition forces Ready False even under P0", () => {
    let o = t(base, "ArtifactOutdated", "NewRevision");
    o = markFalse(o, "SourceVerified", { reason: "InvalidGitObject", message: "unsigned", now });
    expect(getCondition(summarize(o, gitSpec, now), "Ready")).toMatchObject({
      status: "False",
      reason: "InvalidGitObject",
    });
  });
});
