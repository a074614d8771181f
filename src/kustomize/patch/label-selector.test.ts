import { describe, expect, it } from "vitest";
import { parseLabelSelector } from "./label-selector.js";

const labels = new Map([
  ["app", "web"],
  ["tier", "front"],
  ["example.com/team", "blue"],
]);

describe("parseLabelSelector", () => {
  it.each([
    ["", true],
    ["app=web", true],
    ["app==web", true],
    ["app!=web", false],
    ["missing!=x", true],
    ["app=web,tier=back", false],
    ["app in (web, api)", true],
    ["app notin (web)", false],
    ["missing notin (web)", true],
    ["tier", true],
    ["!tier", false],
    ["!missing", true],
    ["example.com/team=blue", true],
    ["app in (a,b),tier", false],
  ])("%s selects: %s", (selector, expected) => {
    expect(parseLabelSelector(selector).matches(labels)).toBe(expected);
  });

  it("rejects malformed requirements", () => {
    expect(() => parseLabelSelector("app=(x")).toThrow(/selector/);
    expect(() => parseLabelSelector("bad key=x")).toThrow(/selector/);
  });
});
