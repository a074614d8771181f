import { describe, expect, it } from "vitest";
import { parseCommit, parseTree, safeEntryName } from "./git-tree.js";

function tree(...entries: [mode: string, name: string][]): Buffer {
  return Buffer.concat(
    entries.map(([mode, name], i) =>
      Buffer.concat([Buffer.from(`${mode} ${name}\0`), Buffer.alloc(20, i + 1)]),
    ),
  );
}

describe("parseTree", () => {
  it("reads modes, names and oids, directories as 040000", () => {
    expect(
      parseTree(tree(["40000", "dir"], ["100644", "a.yaml"], ["100755", "run.sh"], ["120000", "l"]), "."),
    ).toEqual([
      { mode: "040000", name: "dir", oid: "01".repeat(20) },
      { mode: "100644", name: "a.yaml", oid: "02".repeat(20) },
      { mode: "100755", name: "run.sh", oid: "03".repeat(20) },
      { mode: "120000", name: "l", oid: "04".repeat(20) },
    ]);
  });

  it("refuses names that could leave the tree or name a .git directory", () => {
    for (const name of [
      "..",
      ".",
      ".git",
      ".GIT",
      ".git.",
      "git~1",
      ".git::$INDEX_ALLOCATION",
      "a\\b",
      ".g\u200cit",
    ])
      expect(() => parseTree(tree(["100644", name]), "deploy")).toThrow(
        `refusing tree entry '${name}' in 'deploy'`,
      );
    expect(safeEntryName(".gitignore")).toBe(true);
    expect(safeEntryName("..a")).toBe(true);
  });

  it("refuses modes git does not write and truncated trees", () => {
    expect(() => parseTree(tree(["100664", "a"]), ".")).toThrow("unexpected mode 100664");
    expect(() => parseTree(tree(["100644", "a"]).subarray(0, 15), ".")).toThrow("corrupt tree object in '.'");
  });
});

describe("parseCommit", () => {
  it("gives the tree and the subject", () => {
    const c = Buffer.from(
      `tree ${"ab".repeat(20)}\nparent ${"cd".repeat(20)}\nauthor a\n\nsubject line\n\nbody\n`,
    );
    expect(parseCommit(c)).toEqual({ tree: "ab".repeat(20), subject: "subject line" });
    expect(() => parseCommit(Buffer.from("parent x\n"))).toThrow("no tree");
  });
});
