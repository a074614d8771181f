import { describe, expect, it } from "vitest";
import { BadPatternError, globMatch } from "./glob.js";

describe("globMatch", () => {
  it.each([
    ["abc", "abc", true],
    ["*", "anything/with/slashes", true],
    ["*.txt", "a/b.txt", true],
    ["a?c", "abc", true],
    ["a?c", "a/c", true],
    ["a*c", "abbbc", true],
    ["a*c", "abbbd", false],
    ["[a-c]x", "bx", true],
    ["[^a-c]x", "dx", true],
    ["[^a-c]x", "ax", false],
    ["\\*", "*", true],
    ["\\*", "x", false],
    ["", "", true],
    ["", "x", false],
    ["*/", "path/", true],
    ["*.", "bash.", true],
    ["*.", "bash.string.", true],
  ])("%j matches %j: %s", (pattern, name, want) => {
    expect(globMatch(pattern, name)).toBe(want);
  });

  it.each(["[", "[a-", "\\", "[]"])("rejects malformed %j", (pattern) => {
    expect(() => globMatch(pattern, "abc")).toThrow(BadPatternError);
  });
});
