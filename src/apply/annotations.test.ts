import { describe, expect, it } from "vitest";
import { anyInMetadata, applyPolicy, shouldForceRecreate, shouldPrune } from "./annotations.js";
import { OBJECT_KEYS as PolicyKeys, OWNER_NAME_LABEL, OWNER_NAMESPACE_LABEL } from "../api/constants.js";
import type { KubeObject } from "./types.js";

type Where = "label" | "annotation";
const with_ = (
  where: Where,
  key: string,
  value: string,
  extra: Partial<KubeObject["metadata"]> = {},
): KubeObject => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: {
    name: "c",
    namespace: "ns",
    ...extra,
    ...(where === "label" ? { labels: { [key]: value } } : { annotations: { [key]: value } }),
  },
});
const plain = (extra: Partial<KubeObject["metadata"]> = {}): KubeObject => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name: "c", namespace: "ns", ...extra },
});
const live = (o: KubeObject = plain()): KubeObject => ({ ...o, metadata: { ...o.metadata, uid: "u-1" } });

describe("anyInMetadata", () => {
  it.each<[Where, string, boolean]>([
    ["label", "disabled", true],
    ["annotation", "disabled", true],
    ["label", "DISABLED", true],
    ["annotation", "Disabled", true],
    ["annotation", "enabled", false],
    ["annotation", "", false],
  ])("%s %j matches 'disabled': %s", (where, value, want) => {
    expect(anyInMetadata(with_(where, PolicyKeys.prune, value), { [PolicyKeys.prune]: "disabled" })).toBe(
      want,
    );
  });

  it("is false for undefined objects and empty selectors", () => {
    expect(anyInMetadata(undefined, { a: "b" })).toBe(false);
    expect(anyInMetadata(with_("label", "a", "b"), {})).toBe(false);
  });
});

describe("applyPolicy", () => {
  const cases: Array<[string, KubeObject, KubeObject | undefined, { skip: boolean; cleanup: boolean }]> = [
    ["plain, new", plain(), undefined, { skip: false, cleanup: true }],
    ["plain, existing", plain(), live(), { skip: false, cleanup: true }],
    [
      "reconcile disabled on manifest",
      with_("annotation", PolicyKeys.reconcile, "disabled"),
      live(),
      { skip: true, cleanup: true },
    ],
    [
      "reconcile disabled on live (label)",
      plain(),
      live(with_("label", PolicyKeys.reconcile, "Disabled")),
      { skip: true, cleanup: true },
    ],
    [
      "ssa Ignore on manifest",
      with_("label", PolicyKeys.ssa, "Ignore"),
      undefined,
      { skip: true, cleanup: true },
    ],
    [
      "ssa Ignore on live",
      plain(),
      live(with_("annotation", PolicyKeys.ssa, "ignore")),
      { skip: true, cleanup: true },
    ],
    [
      "IfNotPresent, absent: create",
      with_("annotation", PolicyKeys.ssa, "IfNotPresent"),
      undefined,
      { skip: false, cleanup: true },
    ],
    [
      "IfNotPresent, live without uid counts as absent",
      with_("annotation", PolicyKeys.ssa, "IfNotPresent"),
      plain(),
      { skip: false, cleanup: true },
    ],
    [
      "IfNotPresent, present: skip",
      with_("annotation", PolicyKeys.ssa, "IfNotPresent"),
      live(),
      { skip: true, cleanup: true },
    ],
    [
      "IfNotPresent only on live: apply",
      plain(),
      live(with_("annotation", PolicyKeys.ssa, "IfNotPresent")),
      { skip: false, cleanup: true },
    ],
    [
      "Merge on manifest: no cleanup",
      with_("annotation", PolicyKeys.ssa, "Merge"),
      live(),
      { skip: false, cleanup: false },
    ],
    [
      "Merge on live: no cleanup",
      plain(),
      live(with_("label", PolicyKeys.ssa, "merge")),
      { skip: false, cleanup: false },
    ],
  ];
  it.each(cases)("%s", (_name, desired, liveObj, want) => {
    expect(applyPolicy(desired, liveObj)).toEqual(want);
  });
});

describe("shouldForceRecreate", () => {
  it.each<[string, boolean, KubeObject, KubeObject | undefined, boolean]>([
    ["spec.force", true, plain(), live(), true],
    ["nothing", false, plain(), live(), false],
    ["annotation on manifest", false, with_("annotation", PolicyKeys.force, "enabled"), live(), true],
    ["label on live, any case", false, plain(), live(with_("label", PolicyKeys.force, "Enabled")), true],
    ["wrong value", false, with_("annotation", PolicyKeys.force, "true"), undefined, false],
  ])("%s", (...[, force, desired, liveObj, want]) => {
    expect(shouldForceRecreate(force, desired, liveObj)).toBe(want);
  });
});

describe("shouldPrune", () => {
  const owned = (extra: Record<string, string> = {}, annotations: Record<string, string> = {}): KubeObject =>
    plain({
      labels: { [OWNER_NAME_LABEL]: "apps", [OWNER_NAMESPACE_LABEL]: "flux-system", ...extra },
      annotations,
    });

  it.each<[string, KubeObject, boolean]>([
    ["owned", owned(), true],
    [
      "owned by another name",
      plain({ labels: { [OWNER_NAME_LABEL]: "other", [OWNER_NAMESPACE_LABEL]: "flux-system" } }),
      false,
    ],
    [
      "owned by another namespace",
      plain({ labels: { [OWNER_NAME_LABEL]: "apps", [OWNER_NAMESPACE_LABEL]: "other" } }),
      false,
    ],
    ["only the name label", plain({ labels: { [OWNER_NAME_LABEL]: "apps" } }), false],
    ["no labels", plain(), false],
    [
      "owner label value differs in case",
      plain({ labels: { [OWNER_NAME_LABEL]: "Apps", [OWNER_NAMESPACE_LABEL]: "flux-system" } }),
      false,
    ],
    ["prune disabled (annotation)", owned({}, { [PolicyKeys.prune]: "disabled" }), false],
    ["prune disabled (label, any case)", owned({ [PolicyKeys.prune]: "Disabled" }), false],
    ["reconcile disabled", owned({}, { [PolicyKeys.reconcile]: "disabled" }), false],
    ["ssa Ignore", owned({}, { [PolicyKeys.ssa]: "Ignore" }), false],
    ["ssa Merge still pruned", owned({}, { [PolicyKeys.ssa]: "Merge" }), true],
  ])("%s → %s", (_n, o, want) => {
    expect(shouldPrune(o, "apps", "flux-system")).toBe(want);
  });
});
