import { describe, expect, it } from "vitest";
import {
  escapePointer,
  joinPointer,
  lookupPointer,
  removeAtPointer,
  replaceAtPointer,
  splitPointer,
} from "./json-pointer.js";

describe("JSON pointers", () => {
  it("escapes, splits and joins", () => {
    expect(escapePointer("a/b~c")).toBe("a~1b~0c");
    expect(splitPointer("/metadata/annotations/a~1b~0c")).toEqual(["metadata", "annotations", "a/b~c"]);
    expect(joinPointer(["metadata", "annotations", "a/b~c"])).toBe("/metadata/annotations/a~1b~0c");
    expect(splitPointer("")).toEqual([]);
  });

  it("looks values up", () => {
    const doc = { a: [{ b: 1 }, null], c: { "d/e": false } };
    expect(lookupPointer(doc, "/a/0/b")).toEqual({ found: true, value: 1 });
    expect(lookupPointer(doc, "/a/1")).toEqual({ found: true, value: null });
    expect(lookupPointer(doc, "/c/d~1e")).toEqual({ found: true, value: false });
    expect(lookupPointer(doc, "/a/5")).toEqual({ found: false });
    expect(lookupPointer(doc, "/x/y")).toEqual({ found: false });
    expect(lookupPointer(doc, "")).toEqual({ found: true, value: doc });
  });

  it("removes and replaces", () => {
    const doc: any = { a: { "b/c": 1, d: [1, 2, 3] }, e: 2 };
    removeAtPointer(doc, "/a/b~1c");
    removeAtPointer(doc, "/a/d/1");
    removeAtPointer(doc, "/x/y");
    replaceAtPointer(doc, "/e", 3);
    replaceAtPointer(doc, "/a/d/0", 9);
    replaceAtPointer(doc, "/missing/x", 1);
    expect(doc).toEqual({ a: { d: [9, 3] }, e: 3 });
  });
});
