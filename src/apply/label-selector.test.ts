import { describe, expect, it } from "vitest";
import { LabelSelectorError, matchesSelector, parseLabelSelector } from "./label-selector.js";

const labels = { app: "web", tier: "frontend", "example.com/owner": "team-a", replicas: "3" };

describe("label selectors", () => {
  it.each<[string, boolean]>([
    ["", true],
    ["app=web", true],
    ["app==web", true],
    ["app=api", false],
    ["app!=api", true],
    ["missing!=x", true],
    ["app in (web, api)", true],
    ["app in (api)", false],
    ["app notin (api,db)", true],
    ["missing notin (x)", true],
    ["tier", true],
    ["missing", false],
    ["!missing", true],
    ["!app", false],
    ["example.com/owner=team-a", true],
    ["app=web,tier=frontend", true],
    ["app=web, tier=backend", false],
    ["app in (web,api),!legacy", true],
    ["replicas>2", true],
    ["replicas<2", false],
    ["app>1", false],
    ["app=", false],
  ])("%j → %s", (selector, want) => {
    expect(matchesSelector(parseLabelSelector(selector), labels)).toBe(want);
  });

  it("matches missing label maps as empty", () => {
    expect(matchesSelector(parseLabelSelector("!app"), undefined)).toBe(true);
    expect(matchesSelector(parseLabelSelector("app"), undefined)).toBe(false);
  });

  it.each(["app in web", "=x", "a b", "replicas>x", "app in (a"])("rejects %j", (selector) => {
    expect(() => parseLabelSelector(selector)).toThrow(LabelSelectorError);
  });
});
