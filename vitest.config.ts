import { defineConfig } from "vitest/config";

/**
 * Projects: `unit` (pure logic, next to the code, no cluster), `integration` (test/integration,
 * one real kube-apiserver + etcd + kube-controller-manager per run, started by the global setup;
 * tests isolate by namespace), `flux-cli`, and `faults` (test/faults: real controller processes
 * killed, restarted and cut off, one file at a time; issue 14).
 */
export default defineConfig({
  test: {
    reporters: ["default", "./test/support/summary-reporter.ts"],
    projects: [
      {
        test: {
          name: "unit",
          include: [
            "src/**/*.test.ts",
            "test/unit/**/*.test.ts",
            "scripts/**/*.test.ts",
            "bench/**/*.test.ts",
          ],
          environment: "node",
          // Pure logic first: it fails fast, before the control plane is even needed.
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts"],
          environment: "node",
          globalSetup: ["./test/support/global-setup.ts"],
          sequence: { groupOrder: 1 },
          testTimeout: 120_000,
          hookTimeout: 600_000,
          pool: "forks",
          maxWorkers: 2,
        },
      },
      {
        // `npm run test:flux-cli`: the flux CLI built from its Go module, against mooring.
        test: {
          name: "flux-cli",
          include: ["test/flux-cli/**/*.test.ts"],
          environment: "node",
          globalSetup: ["./test/support/global-setup.ts"],
          sequence: { groupOrder: 2 },
          testTimeout: 120_000,
          hookTimeout: 900_000,
          pool: "forks",
        },
      },
      {
        test: {
          name: "faults",
          include: ["test/faults/**/*.test.ts"],
          environment: "node",
          globalSetup: ["./test/support/global-setup.ts"],
          sequence: { groupOrder: 3 },
          testTimeout: 300_000,
          hookTimeout: 600_000,
          pool: "forks",
          maxWorkers: 1,
        },
      },
    ],
  },
});
