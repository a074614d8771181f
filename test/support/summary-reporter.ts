import type { Reporter, TestModule } from "vitest/node";

/**
 * Prints one plain closing line, `tests: N passed, N failed, N skipped`, which CI reads to tell a
 * run that tested something from one that ran no test. Before it, the counts the fault tests left
 * in their meta (`[faults] …: cycles=… wrong deletions=0 lost=0`, issue 14), so they are not lost
 * in the middle of the output.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: readonly TestModule[], unhandledErrors: readonly unknown[]): void {
    let passed = 0;
    // A setup that could not start (no cluster) or an unhandled error fails the run too.
    let failed = unhandledErrors.length;
    let skipped = 0;
    const faults: string[] = [];
    for (const mod of testModules) {
      for (const test of mod.children.allTests()) {
        const counts = test.meta().faults;
        if (counts !== undefined) faults.push(counts);
        const state = test.result().state;
        if (state === "passed") passed++;
        else if (state === "failed") failed++;
        else skipped++;
      }
      if (mod.state() === "failed" && [...mod.children.allTests()].length === 0) failed++;
    }
    if (faults.length > 0) console.log(`\n${faults.join("\n")}`);
    console.log(`\ntests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
  }
}
