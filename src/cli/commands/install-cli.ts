import type { Command } from "commander";
import type { CliIo, GlobalOptions } from "../context.js";
import type { InstallOptions } from "./install.js";

type RunWrapper = (
  action: (opts: GlobalOptions, cmd: Command) => Promise<number>,
) => (...args: unknown[]) => Promise<void>;

/**
 * Wires `install` and `uninstall` into the command tree. Their implementation (install.ts, with
 * the Kubernetes client) is loaded only when one of them runs, so other commands start faster.
 */
export function addInstallCommands(program: Command, run: RunWrapper, io: CliIo): void {
  program
    .command("install")
    .description(
      "install mooring's CRDs and controller (deploy/) into the current context and wait until ready",
    )
    .option("--no-wait", "do not wait for the CRDs and the controller Deployment")
    .option("--dry-run", "server-side dry-run everything instead of applying")
    .action(
      run(async (o, c) => (await import("./install.js")).installCommand(c.opts<InstallOptions>(), o, io)),
    );
  program
    .command("uninstall")
    .description(
      "delete the mooring controller, its RBAC, Service and namespace; CRDs are kept unless --crds " +
        "(deleting the CRDs deletes every GitRepository and Kustomization in the cluster)",
    )
    .option("--crds", "also delete the CRDs, and with them every GitRepository and Kustomization")
    .option("--yes", "do not ask for confirmation (required when not on a terminal)")
    .option("--dry-run", "server-side dry-run the deletes")
    .action(
      run(async (o, c) =>
        (await import("./install.js")).uninstallCommand(
          { wait: false, ...c.opts<Omit<InstallOptions, "wait">>() },
          o,
          io,
        ),
      ),
    );
}
