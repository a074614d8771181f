import { Command, CommanderError, Option } from "commander";
import { parseDuration } from "../util/duration.js";
import { defineControllerCommand } from "./commands/controller-flags.js";
import { addInstallCommands } from "./commands/install-cli.js";
import type { CliIo, GlobalOptions } from "./context.js";
import { CliError } from "./errors.js";
import { FLUX_KINDS, type FluxKind } from "./flux-kinds.js";

/**
 * Each command's implementation is imported when it runs, not when the program is declared:
 * `mooring build` then loads the renderer and not the Kubernetes client or the controller, which
 * took most of its start-up (issue 18).
 */
const commands = {
  build: () => import("./commands/build.js"),
  diff: () => import("./commands/diff.js"),
  drift: () => import("./commands/drift.js"),
  events: () => import("./commands/events.js"),
  get: () => import("./commands/get.js"),
  reconcile: () => import("./commands/reconcile.js"),
  suspend: () => import("./commands/suspend.js"),
  tree: () => import("./commands/tree.js"),
};

/** Exit codes, documented in the README. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

type Action = (opts: GlobalOptions, cmd: Command) => Promise<number>;

/**
 * Builds the `mooring` command tree. Each action returns its exit code; errors become one
 * `✗ message` line on stderr.
 */
export function buildProgram(io: CliIo, setExit: (code: number) => void): Command {
  const program = new Command("mooring")
    .description("mooring: a small, fast, Flux-compatible GitOps controller and its CLI")
    .option("--kubeconfig <path>", "kubeconfig file (default: $KUBECONFIG, ~/.kube/config, in-cluster)")
    .option("--context <name>", "kubeconfig context")
    .option("-n, --namespace <ns>", "namespace (default: the context's, else flux-system)")
    .option("-A, --all-namespaces", "list across all namespaces")
    .addOption(
      new Option("-o, --output <format>", "output format")
        .choices(["table", "json", "yaml"])
        .default("table"),
    )
    .option("--timeout <duration>", "how long to wait for the controller", "5m")
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  const run =
    (action: Action) =>
    async (...args: unknown[]) => {
      const cmd = args[args.length - 1] as Command;
      const raw = cmd.optsWithGlobals<Omit<GlobalOptions, "timeout"> & { timeout?: string }>();
      const opts: GlobalOptions = { ...raw, timeout: parseDuration(raw.timeout ?? "5m") };
      setExit(await action(opts, cmd));
    };
  const kindArg = (word: string): FluxKind => {
    if (["ks", "kustomization", "kustomizations"].includes(word)) return FLUX_KINDS.kustomization;
    throw new CliError(`unknown kind "${word}": use ks or source git`, EXIT.usage);
  };

  const get = program
    .command("get")
    .description("show GitRepositories or Kustomizations with Flux's columns");
  get
    .command("sources")
    .argument("<type>", "git")
    .action(
      run(async (o, c) => (requireGit(c.args[0]), (await commands.get()).getCommand(FLUX_KINDS.git, o, io))),
    );
  get
    .command("kustomizations")
    .alias("ks")
    .action(run(async (o) => (await commands.get()).getCommand(FLUX_KINDS.kustomization, o, io)));

  const reconcile = program
    .command("reconcile")
    .description("trigger a reconcile now and wait for its outcome");
  reconcile
    .command("source")
    .argument("<type>", "git")
    .argument("<name>")
    .action(
      run(
        async (o, c) => (
          requireGit(c.args[0]),
          (await commands.reconcile()).reconcileCommand(FLUX_KINDS.git, c.args[1] ?? "", o, io)
        ),
      ),
    );
  reconcile
    .command("kustomization")
    .alias("ks")
    .argument("<name>")
    .option("--with-source", "reconcile the source first")
    .action(
      run(async (o, c) =>
        (await commands.reconcile()).reconcileCommand(FLUX_KINDS.kustomization, c.args[0] ?? "", o, io),
      ),
    );

  for (const [verb, suspend] of [
    ["suspend", true],
    ["resume", false],
  ] as const) {
    const cmd = program.command(verb).description(`${verb} reconciliation of an object`);
    cmd
      .command("source")
      .argument("<type>", "git")
      .argument("<name>")
      .action(
        run(
          async (o, c) => (
            requireGit(c.args[0]),
            (await commands.suspend()).setSuspended(
              { kind: FLUX_KINDS.git, name: c.args[1] ?? "", suspend },
              o,
              io,
            )
          ),
        ),
      );
    cmd
      .command("kustomization")
      .alias("ks")
      .argument("<name>")
      .action(
        run(async (o, c) =>
          (await commands.suspend()).setSuspended(
            { kind: FLUX_KINDS.kustomization, name: c.args[0] ?? "", suspend },
            o,
            io,
          ),
        ),
      );
  }

  program
    .command("tree")
    .description("show a Kustomization's inventory as a tree, nested Kustomizations expanded")
    .argument("<kind>", "ks")
    .argument("<name>")
    .action(
      run(
        async (o, c) => (
          kindArg(c.args[0] ?? ""),
          (await commands.tree()).treeCommand(c.args[1] ?? "", o, io)
        ),
      ),
    );

  program
    .command("events")
    .description("show Kubernetes events, optionally for one object")
    .option("--for <Kind/name>", "only events of this object (and a Kustomization's source)")
    .action(run(async (o) => (await commands.events()).eventsCommand(o, io)));
  defineControllerCommand(program).action(async (_opts: unknown, self: Command) =>
    (await import("./commands/controller.js")).runController(self, io, setExit),
  );
  addInstallCommands(program, run, io);
  program
    .command("diff")
    .description(
      "server-side dry-run diff of a local tree against a Kustomization (exit 0 same, 1 differs, 2 error)",
    )
    .argument("<kind>", "ks")
    .argument("<name>")
    .requiredOption("--path <dir>", "the local directory to build as the Kustomization's path")
    .action(
      run(
        async (o, c) => (
          kindArg(c.args[0] ?? ""),
          (await commands.diff()).diffCommand(c.args[1] ?? "", c.opts<{ path: string }>().path, o, io)
        ),
      ),
    );
  program
    .command("drift")
    .description(
      "current drift of a Kustomization's objects (live vs desired) and its recent drift corrections (exit 0 none, 1 drift, 2 error)",
    )
    .argument("<kind>", "ks")
    .argument("<name>")
    .option("--path <dir>", "compare with this local directory instead of the source's current artifact")
    .action(
      run(
        async (o, c) => (
          kindArg(c.args[0] ?? ""),
          (await commands.drift()).driftCommand(c.args[1] ?? "", c.opts<{ path?: string }>().path, o, io)
        ),
      ),
    );
  program
    .command("build")
    .description(
      "render a kustomize directory exactly as kubectl kustomize does, or as a Kustomization would",
    )
    .argument("<dir>", "the directory to build; with --kustomization, the source root")
    .option(
      "--kustomization <file>",
      "render as this Kustomization would (wrapper, spec.path, patches, substitution)",
    )
    .option(
      "--substitute-from <file...>",
      "ConfigMap/Secret manifests that stand in for the cluster's substituteFrom objects",
    )
    .action(
      run(async (_o, c) =>
        (await commands.build()).buildCommand(
          c.args[0] ?? ".",
          c.opts<{ kustomization?: string; substituteFrom?: string[] }>(),
          io,
        ),
      ),
    );
  return program;
}

function requireGit(type: string | undefined): void {
  if (type !== "git")
    throw new CliError(`unsupported source type "${type ?? ""}": mooring handles git sources`, EXIT.usage);
}

/** Runs the CLI on argv (without node and script) and returns the exit code. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  let code: number = EXIT.ok;
  const program = buildProgram(io, (c) => (code = c));
  try {
    await program.parseAsync(argv, { from: "user" });
    return code;
  } catch (err) {
    return reportError(err, io);
  }
}

function reportError(err: unknown, io: CliIo): number {
  if (err instanceof CommanderError) {
    return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
  }
  if (err instanceof CliError) {
    io.stderr(`✗ ${err.message}\n`);
    return err.exitCode;
  }
  // An API error is the runtime's KubeApiError, whose message is the server's Status message.
  io.stderr(`✗ ${err instanceof Error ? err.message : String(err)}\n`);
  return EXIT.failed;
}
