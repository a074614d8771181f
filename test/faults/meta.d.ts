/** The counts line a fault test leaves for the summary reporter (issue 14). */
declare module "@vitest/runner" {
  interface TaskMeta {
    faults?: string;
  }
}
export {};
