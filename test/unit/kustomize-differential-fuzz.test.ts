/**
 * Issue 18 item 5: differential fuzzing of the kustomize engine against `kubectl kustomize`
 * (kustomize v5.5.0). Random trees combine the corpus's features (generators, strategic merge and
 * JSON 6902 patches, replacements with delimiters, components, namespaces, name prefixes and
 * suffixes, labels, annotations, images, replicas); both engines build each one and must agree:
 * the same output, or failures of the same cause (src/kustomize/error-cause.ts).
 *
 * The default budget (CI) is a fixed seed and a few dozen trees, well under a minute. On demand:
 * `MOORING_KUSTOMIZE_FUZZ_RUNS=2000 npx vitest run test/unit/kustomize-differential-fuzz.test.ts`
 * (a random seed; `MOORING_KUSTOMIZE_FUZZ_SEED` replays one). A mismatch keeps its tree on disk
 * and names the directory; each one found becomes a golden test (input-fidelity.test.ts).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compareTree, haveKubectl, kubectlError, mismatch } from "./kustomize-fuzz/oracle.js";
import { treeArbitrary } from "./kustomize-fuzz/trees.js";

const RUNS_ENV = process.env["MOORING_KUSTOMIZE_FUZZ_RUNS"];
const SEED_ENV = process.env["MOORING_KUSTOMIZE_FUZZ_SEED"];
const RUNS = Number(RUNS_ENV ?? "40");
/** CI replays one seed; a longer run on demand explores new ones unless told which. */
const SEED = SEED_ENV !== undefined ? Number(SEED_ENV) : RUNS_ENV === undefined ? 18 : undefined;
/** A bound on the whole property (kubectl is ~0.1-0.3 s a tree); shrinking a failure included. */
const TIME_LIMIT_MS = RUNS_ENV === undefined ? 45_000 : RUNS * 2_000;

describe("kubectl kustomize's klog error line", () => {
  it("is unwrapped, quoted or in a block", () => {
    expect(kubectlError('E1206 run.go:72] "command failed" err="kustomization.yaml is empty"\n')).toBe("kustomization.yaml is empty");
    expect(kubectlError('E1206 run.go:72] "command failed" err="id \\"x\\" exists"')).toBe('id "x" exists');
    expect(kubectlError('E1206 run.go:72] "command failed" err=<\n\ttrouble configuring\n\tpath: c.yaml\n >\n')).toBe("trouble configuring\npath: c.yaml");
  });

  it("outcomes match on equal output or on errors of one cause only", () => {
    expect(mismatch({ ok: true, output: "a" }, { ok: true, output: "a" })).toBeUndefined();
    expect(mismatch({ ok: true, output: "a" }, { ok: true, output: "b" })).toBe("outputs differ");
    expect(mismatch({ ok: false, error: "kustomization.yaml is empty" }, { ok: false, error: "kustomization.yaml is empty" })).toBeUndefined();
    expect(mismatch({ ok: false, error: "x: kustomization.yaml is empty" }, { ok: false, error: "new root cannot be empty" })).toMatch(/other causes/);
  });
});

describe.skipIf(!haveKubectl)("kustomize engine vs kubectl kustomize, random trees", () => {
  it(
    "builds every tree as kubectl does",
    async () => {
      const problems: string[] = [];
      await fc.assert(
        fc.asyncProperty(treeArbitrary, async (tree) => {
          const r = await compareTree(tree, "overlay");
          if (r.problem !== undefined) problems.push(`${r.problem} (tree kept in ${r.dir})`);
          return r.problem === undefined;
        }),
        {
          numRuns: RUNS,
          ...(SEED === undefined ? {} : { seed: SEED }),
          interruptAfterTimeLimit: TIME_LIMIT_MS,
          markInterruptAsFailure: false,
          endOnFailure: RUNS_ENV === undefined,
        },
      );
      expect(problems).toEqual([]);
    },
    TIME_LIMIT_MS + 30_000,
  );
});
