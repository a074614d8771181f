/**
 * Property-based fuzzing of what reads tenant input (issue 14): the YAML resource parser, the
 * kustomization file parser, a whole build, and post-build substitution. No input may crash the
 * process, hang it or fail with anything but the parser's own error type.
 *
 * `npm test` runs a bounded budget (a few seconds); `MOORING_FUZZ_RUNS=20000 npx vitest run
 * test/unit/fuzz-parsers.test.ts` runs a longer one.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { KustomizeError } from "../../src/kustomize/errors.js";
import { parseKustomization } from "../../src/kustomize/kustomization.js";
import { parseResources } from "../../src/kustomize/parse.js";
import { buildTree } from "../../src/kustomize/testing/tree.js";
import {
  expand,
  SubstitutionError,
  SubstitutionSyntaxError,
  substituteObject,
  UnsetVariableError,
} from "../../src/substitute/index.js";
import type { KubeObject } from "../../src/apply/types.js";

const RUNS = Number(process.env.MOORING_FUZZ_RUNS ?? "300");
const options = { numRuns: RUNS };
/** Generous: a property is a loop of RUNS inputs on a loaded machine; a hang still fails it. */
const TIMEOUT = 60_000 + RUNS * 50;

/** YAML-ish pieces: structure, anchors and aliases, merge keys, quotes, documents, Kubernetes keys. */
const TOKENS = [
  "apiVersion: v1\n",
  "kind: ConfigMap\n",
  "kind: List\n",
  "metadata:\n",
  "  name: x\n",
  "items:\n",
  "data:\n",
  "&a ",
  "&b ",
  "*a",
  "*b",
  "<<: ",
  "[",
  "]",
  "{",
  "}",
  ",",
  ":",
  ": ",
  "- ",
  "\n",
  "  ",
  "    ",
  "'",
  '"',
  "---\n",
  "...\n",
  "#",
  "!!str ",
  "!!map ",
  "? ",
  "|\n",
  ">-\n",
  "\t",
  "\\",
  "k",
  "v",
  "1",
  "null",
  "~",
  "%YAML 1.2\n",
];
const yamlish = fc.array(fc.constantFrom(...TOKENS), { maxLength: 60 }).map((t) => t.join(""));
const text = fc.oneof(yamlish, fc.string({ maxLength: 200 }), fc.string({ unit: "binary", maxLength: 200 }));

/**
 * A plain `Error` some renderer stages throw with a user-facing message; its subclasses
 * (TypeError, RangeError, ReferenceError) are crashes, not messages, and stay failures.
 */
abstract class PlainError extends Error {
  static override [Symbol.hasInstance](err: unknown): boolean {
    return err instanceof Error && Object.getPrototypeOf(err) === Error.prototype;
  }
}

/** Calls `fn`; an error must be one of `allowed`, anything else fails the property. */
function onlyThrows(fn: () => unknown, ...allowed: (abstract new (...args: never[]) => Error)[]): void {
  try {
    fn();
  } catch (err) {
    if (!allowed.some((t) => err instanceof t)) throw err;
  }
}

describe("fuzzing the parsers (issue 14)", () => {
  it("parseResources returns resources or throws KustomizeError", { timeout: TIMEOUT }, () => {
    fc.assert(
      fc.property(text, (t) => onlyThrows(() => parseResources(t, "f.yaml"), KustomizeError)),
      options,
    );
  });

  it("parseKustomization returns a kustomization or throws KustomizeError", { timeout: TIMEOUT }, () => {
    fc.assert(
      fc.property(text, (t) => onlyThrows(() => parseKustomization(t, "kustomization.yaml"), KustomizeError)),
      options,
    );
  });

  it(
    "a build of a fuzzed resource and kustomization renders or throws KustomizeError",
    { timeout: TIMEOUT },
    () => {
      const kustomization = fc.oneof(
        fc.constant("resources: [r.yaml]\n"),
        yamlish.map((t) => `resources: [r.yaml]\n${t}`),
      );
      fc.assert(
        fc.property(kustomization, text, (k, r) =>
          onlyThrows(() => buildTree({ "kustomization.yaml": k, "r.yaml": r }), KustomizeError, PlainError),
        ),
        { numRuns: Math.max(20, Math.floor(RUNS / 10)) },
      );
    },
  );
});

describe("fuzzing post-build substitution (issue 14)", () => {
  const pieces = fc.constantFrom(
    "${",
    "}",
    "$",
    "$$",
    "{",
    ":=",
    ":-",
    "=",
    "-",
    "var",
    "VAR_1",
    "x",
    " ",
    "\n",
    "'",
    '"',
    ":",
  );
  const template = fc.oneof(
    fc.array(pieces, { maxLength: 40 }).map((p) => p.join("")),
    fc.string({ maxLength: 100 }),
  );
  const vars = fc.dictionary(fc.constantFrom("var", "VAR_1", "x"), fc.string({ maxLength: 20 }));

  it("expand returns text or throws its two syntax/unset errors", { timeout: TIMEOUT }, () => {
    fc.assert(
      fc.property(template, vars, fc.boolean(), (t, v, strict) =>
        onlyThrows(
          () => expand(t, new Map(Object.entries(v)), strict),
          SubstitutionSyntaxError,
          UnsetVariableError,
        ),
      ),
      options,
    );
  });

  it("substituteObject returns an object or throws SubstitutionError", { timeout: TIMEOUT }, () => {
    fc.assert(
      fc.property(template, vars, fc.boolean(), (t, v, strict) => {
        const obj: KubeObject = {
          apiVersion: "v1",
          kind: "ConfigMap",
          metadata: { name: "x" },
          data: { k: t },
        };
        onlyThrows(() => {
          const out = substituteObject(obj, new Map(Object.entries(v)), strict);
          expect(typeof out.metadata).toBe("object");
        }, SubstitutionError);
      }),
      options,
    );
  });
});
