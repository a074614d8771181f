import { Command } from "commander";
import { type ControllerConfig, type ControllerFlags, controllerConfig } from "../../config.js";
import { applyControllerGcPolicy } from "../../runtime/gc-policy.js";
import { shutdownSignal } from "../../runtime/manager.js";
import type { CliIo } from "../context.js";
import { defineControllerCommand } from "./controller-flags.js";

/**
 * After SIGTERM the manager drains, aborts, releases the Lease and closes within the drain window
 * plus a few bounded grace periods; should anything still hold the process past this margin, it
 * exits anyway, before the kubelet's SIGKILL, so a restart is never slower than it has to be.
 */
const EXIT_BACKSTOP_MARGIN_MS = 20_000;

function exitBackstop(signal: AbortSignal, drainMs: number, io: CliIo): void {
  signal.addEventListener(
    "abort",
    () => {
      setTimeout(() => {
        io.stderr(`✗ shutdown did not complete within ${drainMs + EXIT_BACKSTOP_MARGIN_MS} ms; exiting\n`);
        process.exit(1);
      }, drainMs + EXIT_BACKSTOP_MARGIN_MS).unref();
    },
    { once: true },
  );
}

/** The validated config from a parsed `controller` command (its own flags and the globals). */
function configOf(self: Command, env: NodeJS.ProcessEnv): ControllerConfig {
  // --kubeconfig is the program's global flag; the rest are this command's.
  const flags = self.optsWithGlobals<
    ControllerFlags & { crossNamespaceRefs?: string | boolean; remoteBases?: string | boolean }
  >();
  // commander turns --no-x into x=false and --no-x=v into x=v; the config speaks of noX.
  return controllerConfig(
    { ...flags, noCrossNamespaceRefs: flags.crossNamespaceRefs, noRemoteBases: flags.remoteBases },
    env,
  );
}

/**
 * Parses `controller` flags exactly as `mooring controller` does, without starting anything:
 * how a test checks that a Deployment's command line is one the controller accepts. Throws on an
 * unknown flag or an invalid value.
 */
export function parseControllerArgs(args: readonly string[], env: NodeJS.ProcessEnv): ControllerConfig {
  const program = new Command("mooring").option("--kubeconfig <path>").exitOverride();
  program.configureOutput({ writeOut: () => undefined, writeErr: () => undefined });
  let config: ControllerConfig | undefined;
  defineControllerCommand(program)
    .exitOverride()
    .action((_opts: unknown, self: Command) => {
      config = configOf(self, env);
    });
  program.parse(["controller", ...args], { from: "user" });
  if (!config) throw new Error("the controller command did not run");
  return config;
}

/** Runs a parsed `controller` command until the controller stops, then exits the process. */
export async function runController(
  self: Command,
  io: CliIo,
  setExit: (code: number) => void,
): Promise<void> {
  const config = configOf(self, io.env);
  applyControllerGcPolicy();
  const { startController } = await import("../../main.js");
  const env = {
    inCluster: Boolean(io.env.KUBERNETES_SERVICE_HOST),
    isTTY: io.tty,
    instance: io.env.HOSTNAME ?? "",
    env: io.env,
  };
  const signal = shutdownSignal();
  exitBackstop(signal, config.gracefulShutdownTimeoutMs, io);
  const running = await startController(config, env, signal);
  // Lost leadership ends the process non-zero so that it is restarted (controller-runtime).
  const code = await running.done.then(
    () => 0,
    (err: unknown) => (io.stderr(`✗ ${err instanceof Error ? err.message : String(err)}\n`), 1),
  );
  setExit(code);
  // Drained and closed: exit now rather than wait for idle sockets of client watches.
  process.exit(code);
}
