import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isMap, isPair, isScalar, isSeq, parseAllDocuments } from "yaml";
import { parseBlockYaml } from "./fast-yaml.js";

/** Properties the engine reads from nodes (not source ranges or comments, which it never uses). */
const IGNORED = new Set(["range", "comment", "commentBefore", "spaceBefore", "srcToken"]);

function dump(n: unknown): unknown {
  if (!(isScalar(n) || isMap(n) || isSeq(n) || isPair(n))) return n;
  const out: Record<string, unknown> = {
    node: isScalar(n) ? "scalar" : isMap(n) ? "map" : isSeq(n) ? "seq" : "pair",
  };
  for (const [k, v] of Object.entries(n)) {
    if (IGNORED.has(k)) continue;
    out[k] = Array.isArray(v) ? v.map(dump) : typeof v === "object" && v !== null ? dump(v) : v;
  }
  return out;
}

/** The `yaml` package's reading, as parse.ts does it: the non-empty document roots, or undefined on an error. */
function packageRoots(text: string): unknown[] | undefined {
  const docs = parseAllDocuments(text, { schema: "failsafe", uniqueKeys: true, prettyErrors: false });
  if (!Array.isArray(docs) || docs.some((d) => d.errors.length > 0)) return undefined;
  return docs
    .map((d) => d.contents)
    .filter((c) => !(c === null || (isScalar(c) && (c.value === "" || c.value === null))))
    .map(dump);
}

/** The fast reader must give the package's nodes exactly, or leave the text to it. */
function expectSameOrBail(text: string): "fast" | "bailed" {
  const fast = parseBlockYaml(text);
  if (fast === undefined) return "bailed";
  expect(fast.map(dump), text).toEqual(packageRoots(text));
  return "fast";
}

describe("fast block YAML reader (issue 18)", () => {
  it.each([
    [
      "mappings, sequences, comments",
      "a: 1\nb:\n  c: x # note\n  d:\n  - e\n  -   f\n# comment\ng: [] \nh: {}\n",
    ],
    ["compact mappings in sequences", "items:\n- name: a\n  value: b\n-   name: c\n    list:\n      - x\n"],
    ["indentless sequence then key", "k:\n- a\n- b\nnext: c\n"],
    ["empty values", "a:\nb: \nc:\n  -\n  - \n  - x\nd: # c\n"],
    ["plain scalars over lines", "d: one two\n  three\n\n  four\n\n\n  five\ne: x\n"],
    [
      "quoted scalars",
      "a: 'it''s'\nb: \"tab\\t \\u00e9 \\x41 \\\" \\\\ \\/ \\U0001F600\"\n\"q\": 'k'\n'r': \"\"\n",
    ],
    ["quoted scalars over lines", "a: 'one\n  two\n\n  three'\nb: \"x\n   y \\n\n  z\"\n"],
    [
      "literal block scalars",
      "a: |\n  l1\n\n    l2\n  l3\n\n\nb: |-\n  s\nc: |+\n  k\n\n\nd:\n- |\n  item\n",
    ],
    ["literal with leading blank lines", "a: |\n\n  x\nb: 1\n"],
    ["documents", "---\na: 1\n---\n# only a comment\n---\n\nb: 2\n--- # c\nc: 3\n"],
    ["keys with colons and values with colons", "a:b: c\nimage: nginx:1.2\nurl: http://x/y#z\n"],
    ["lists of kinds", "kind: List\nitems:\n- kind: A\n  metadata: {}\n"],
    [
      "deep",
      "a:\n" + Array.from({ length: 40 }, (_, i) => " ".repeat(2 * (i + 1)) + `k${i}:`).join("\n") + " v\n",
    ],
  ])("reads %s as the yaml package does", (_name, text) => {
    expect(expectSameOrBail(text)).toBe("fast");
  });

  it.each([
    ["anchors and aliases", "a: &x 1\nb: *x\n"],
    ["tags", "a: !!str 1\n"],
    ["flow collections", "a: [1, 2]\n"],
    ["folded block scalars", "a: >\n  x\n"],
    ["indentation indicators", "a: |2\n   x\n"],
    ["tabs", "a:\tb\n"],
    ["CR line breaks", "a: b\r\n"],
    ["no final line break", "a: |\n  x"],
    ["duplicate keys", "a: 1\na: 2\n"],
    ["a sequence at the root", "- a\n"],
    ["a scalar at the root", "just text\n"],
    ["nested mappings on one line", "a: b: c\n"],
    ["bad indentation", "a:\n    b: 1\n  c: 2\n"],
    ["a comment inside a plain scalar", "a: b # c\n  d\n"],
    ["an unclosed quote", "a: 'b\n"],
    ["document end markers", "a: 1\n...\n"],
    ["directives", "%YAML 1.2\n---\na: 1\n"],
    ["merge keys", "<<: {}\n"],
  ])("leaves %s to the yaml package", (_name, text) => {
    expect(parseBlockYaml(text)).toBeUndefined();
  });

  it("never differs from the yaml package on random block YAML", () => {
    let fast = 0;
    fc.assert(
      fc.property(randomYaml, (text) => {
        if (expectSameOrBail(text) === "fast") fast++;
      }),
      { numRuns: 3000 },
    );
    // The generator must reach the fast path often enough for the comparison to mean something.
    expect(fast).toBeGreaterThan(150);
  });
});

const keys = fc.constantFrom("a", "b", "c", "k1", '"q"', "'s'", "x y");

/** Scalars in the styles the reader handles, and a few it leaves to the package. */
const scalarText = fc.oneof(
  {
    weight: 12,
    arbitrary: fc.constantFrom(
      "a",
      "x1",
      "0",
      "true",
      "~",
      "é",
      "a b",
      "a:b",
      "http://h/#x",
      "-x",
      "it's",
      "a # c",
      "'q''s'",
      "''",
      '"d\\n\\u00e9"',
      '""',
      "{}",
      "[]",
      "|",
      "|-",
      "|+",
    ),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom("[a]", "&a x", "*a", "!t x", ">", '"a\\\\"', ">-", "|2", "- x", "a: b"),
  },
);
const continuation = fc.constantFrom(
  "more",
  "more",
  "'",
  "x'",
  'y"',
  "",
  "",
  "  deeper",
  "- dash",
  "# c",
  "k: v",
  "z #c",
);

/** A node written at `indent`: its lines after the `key:` or `- ` that introduces it. */
type Written = { inline: string; below: string[] };

function scalarNode(text: string, extra: readonly string[], indent: number): Written {
  const pad = " ".repeat(indent + 2);
  if (text.startsWith("|"))
    return { inline: text, below: ["l1", "", "  l2", ...extra].map((l) => (l === "" ? "" : pad + l)) };
  return { inline: text, below: extra.map((l) => (l === "" ? "" : pad + l)) };
}

const node: fc.Memo<(indent: number) => Written> = fc.memo((depth) => {
  const extra = fc.oneof(
    { weight: 5, arbitrary: fc.constant([]) },
    { weight: 2, arbitrary: fc.array(continuation, { maxLength: 2 }) },
  );
  const leaf = fc.tuple(scalarText, extra).map(
    ([t, extra]) =>
      (indent: number) =>
        scalarNode(t, extra, indent),
  );
  if (depth <= 1) return leaf;
  const entries = fc.uniqueArray(fc.tuple(keys, node(depth - 1)), {
    minLength: 1,
    maxLength: 4,
    selector: ([k]) => k.replace(/["']/g, ""),
  });
  const map = fc.tuple(entries, fc.constantFrom(2, 3)).map(([es, step]) => (indent: number): Written => ({
    inline: "",
    below: es.flatMap(([k, child]) => {
      const at = indent + step;
      const w = child(at);
      return [`${" ".repeat(at)}${k}:${w.inline === "" ? "" : " " + w.inline}`, ...w.below];
    }),
  }));
  const seq = fc
    .tuple(fc.array(node(depth - 1), { minLength: 1, maxLength: 3 }), fc.constantFrom(0, 2))
    .map(([items, step]) => (indent: number): Written => ({
      inline: "",
      below: items.flatMap((child) => {
        const at = indent + step;
        const w = child(at);
        return [`${" ".repeat(at)}-${w.inline === "" ? "" : " " + w.inline}`, ...w.below];
      }),
    }));
  return fc.oneof(leaf, map, seq);
});

/** Documents (mappings at the root), now and then with a line re-indented. */
const randomYaml = fc
  .tuple(
    fc.array(
      fc.uniqueArray(fc.tuple(keys, node(4)), {
        minLength: 1,
        maxLength: 4,
        selector: ([k]) => k.replace(/["']/g, ""),
      }),
      {
        minLength: 1,
        maxLength: 2,
      },
    ),
    fc.option(fc.tuple(fc.nat(), fc.nat({ max: 6 })), { freq: 4 }),
  )
  .map(([docs, noise]) => {
    const lines = docs.flatMap((entries, i) => [
      ...(i > 0 ? ["---"] : []),
      ...entries.flatMap(([k, child]) => {
        const w = child(0);
        return [`${k}:${w.inline === "" ? "" : " " + w.inline}`, ...w.below];
      }),
    ]);
    if (noise) {
      const [at, indent] = noise;
      const i = at % lines.length;
      lines[i] = " ".repeat(indent) + lines[i]!.trimStart();
    }
    return lines.join("\n") + "\n";
  });
