import { describe, expect, it } from "vitest";
import {
  changeSetEntry,
  entryFor,
  formatChangeSet,
  formatChanges,
  hasChanged,
  pruneSurvivors,
  type ChangeSetAction,
} from "./changeset.js";
import { obj } from "./test-fixtures.js";

describe("change set lines", () => {
  it("formats namespaced and cluster-scoped subjects", () => {
    const entries = [
      changeSetEntry(obj("v1", "Namespace", "apps"), "created"),
      changeSetEntry(obj("apps/v1", "Deployment", "apps/web"), "configured"),
      changeSetEntry(obj("v1", "ConfigMap", "apps/cfg"), "unchanged"),
    ];
    expect(formatChangeSet(entries)).toBe(
      "Namespace/apps created\nDeployment/apps/web configured\nConfigMap/apps/cfg unchanged",
    );
    expect(entries[1]).toMatchObject({ version: "v1", object: { group: "apps", kind: "Deployment" } });
  });

  it.each<[ChangeSetAction, boolean]>([
    ["created", true],
    ["configured", true],
    ["deleted", true],
    ["unknown", true],
    ["unchanged", false],
    ["skipped", false],
  ])("hasChanged(%s) = %s", (action, want) => {
    expect(hasChanged(action)).toBe(want);
  });

  it("lists only changes for events, empty when nothing changed", () => {
    const a = changeSetEntry(obj("v1", "ConfigMap", "ns/a"), "unchanged");
    const b = changeSetEntry(obj("v1", "ConfigMap", "ns/b"), "created");
    const c = changeSetEntry(obj("v1", "ConfigMap", "ns/c"), "skipped");
    expect(formatChanges([a, b, c])).toBe("ConfigMap/ns/b created");
    expect(formatChanges([a, c])).toBe("");
  });
});

describe("pruneSurvivors", () => {
  it("keeps stale objects that were neither deleted nor skipped", () => {
    const stale = ["a", "b", "c", "d"].map((name) => ({
      namespace: "ns",
      name,
      group: "",
      kind: "ConfigMap",
      version: "v1",
    }));
    const entries = [
      entryFor(stale[0]!, "v1", "deleted"),
      entryFor(stale[1]!, "v1", "skipped"),
      entryFor(stale[2]!, "v1", "unknown"),
    ];
    expect(pruneSurvivors(stale, entries).map((s) => s.name)).toEqual(["c", "d"]);
  });
});
