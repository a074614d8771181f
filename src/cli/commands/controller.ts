import { Command } from "commander";
import { type ControllerConfig, type ControllerFlags, controllerConfig } from "../../config.js";
import { shutdownSignal } from "../../runtime/manager.js";
import type { CliIo } from "../context.js";

/** Flux's flag names (kebab-case) with their help text; defaults are documented in config.ts. */
const FLAGS: [string, string][] = [
  ["--concurrent <n>", "concurrent reconciles per controller (default 4)"],
  ["--concurrent-ssa <n>", "parallel dry-runs/applies within an apply stage (default 4)"],
  [
    "--requeue-dependency <duration>",
    "wait before re-checking a dependency or a missing artifact (default 30s)",
  ],
  ["--no-cross-namespace-refs [bool]", "refuse sourceRefs and dependsOn in other namespaces"],
  [
    "--no-remote-bases [bool]",
    "refuse remote kustomize bases (mooring never fetches them, so this is always in effect)",
  ],
  ["--default-service-account <name>", "service account impersonated when spec.serviceAccountName is empty"],
  ["--storage-path <dir>", "artifact storage directory (default /data)"],
  ["--storage-addr <addr>", "artifact server listen address (default :9090)"],
  [
    "--storage-adv-addr <host[:port]>",
    "address put into artifact URLs (default derived from --storage-addr)",
  ],
  ["--artifact-retention-ttl <duration>", "how long superseded artifacts are kept (default 1m)"],
  ["--artifact-retention-records <n>", "artifacts kept per object (default 2)"],
  ["--metrics-addr <addr>", "Prometheus /metrics listen address (default :8080)"],
  ["--health-addr <addr>", "/healthz and /readyz listen address (default :9440)"],
  ["--leader-elect [bool]", "elect a leader on a Lease so that only one replica reconciles"],
  ["--enable-leader-election [bool]", "Flux's name for --leader-elect"],
  ["--leader-election-lease-duration <duration>", "how long a lease is valid (default 15s)"],
  ["--leader-election-renew-deadline <duration>", "how long the leader retries renewing (default 10s)"],
  ["--leader-election-retry-period <duration>", "wait between lease attempts (default 2s)"],
  ["--leader-election-release-on-cancel [bool]", "release the lease on a clean stop (default true)"],
  [
    "--leader-election-namespace <ns>",
    "namespace of the Lease (default $RUNTIME_NAMESPACE or mooring-system)",
  ],
  ["--log-level <level>", "debug, info or error (default info)"],
  ["--log-encoding <encoding>", "json or console (default json)"],
  ["--watch-label-selector <selector>", "only reconcile objects matching this label selector (sharding)"],
  ["--watch-all-namespaces [bool]", "watch every namespace (default true); false: only $RUNTIME_NAMESPACE"],
  [
    "--receiver-addr <addr>",
    "listen address of the Receiver webhook server, POST /hook/<digest> (default :9292)",
  ],
  ["--events-addr <url>", "also POST every event as Flux's event JSON to this notification endpoint"],
  [
    "--feature-gates <A=true,B=false>",
    "Flux's feature gates; unknown gates are refused, gates mooring cannot honour are named at startup",
  ],
  ["--kube-api-qps <n>", "requests per second to the API server after the burst (Flux's default: 50)"],
  ["--kube-api-burst <n>", "requests to the API server that may go at once (Flux's default: 300)"],
  [
    "--watch-configs-label-selector <selector>",
    "ConfigMaps and Secrets whose changes reconcile the Kustomizations using them at once (default reconcile.fluxcd.io/watch=Enabled; empty: all)",
  ],
  ["--interval-jitter-percentage <n>", "jitter applied to every interval requeue (default 5)"],
  ["--min-retry-delay <duration>", "first backoff after a failure (default 750ms)"],
  ["--max-retry-delay <duration>", "longest backoff after failures (default 15m)"],
  ["--http-retry <n>", "artifact download retries (default 9)"],
  ["--git-max-pack-bytes <n>", "largest git pack accepted from a server (default 536870912, 512 MiB)"],
  [
    "--sops-age-secret <name>",
    "Secret in $RUNTIME_NAMESPACE (default mooring-system) whose .agekey entries decrypt Kustomizations with spec.decryption but no secretRef",
  ],
  [
    "--graceful-shutdown-timeout <duration>",
    "drain window for in-flight reconciles after SIGTERM, then they are aborted (default 25s)",
  ],
  ["--build-max-heap-bytes <n>", "heap limit of each build thread (default 536870912, 512 MiB; min 64 MiB)"],
  ["--build-max-file-bytes <n>", "largest file a build reads (default 16777216, 16 MiB)"],
  ["--build-max-total-bytes <n>", "most bytes one build reads in total (default 67108864, 64 MiB)"],
  ["--build-max-objects <n>", "most objects one build parses (default 10000)"],
  [
    "--verify-noop-every <n>",
    "every Nth apply of a Kustomization dry-runs every object even where the no-op cache says nothing changed (default 10; 1: every apply, as Flux; 0: never)",
  ],
  [
    "--prune-guard [bool]",
    "stop a revision whose prune would delete every object in a Kustomization's inventory (default true; false: Flux's behaviour)",
  ],
];

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

function defineControllerCommand(program: Command): Command {
  const cmd = program
    .command("controller")
    .description("run the GitRepository and Kustomization controllers in this process");
  for (const [flag, help] of FLAGS) cmd.option(flag, help);
  return cmd;
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

/** Adds `mooring controller` with Flux's flags to the program. */
export function addControllerCommand(program: Command, io: CliIo, setExit: (code: number) => void): void {
  defineControllerCommand(program).action(async (_opts: unknown, self: Command) => {
    const config = configOf(self, io.env);
    const { startController } = await import("../../main.js");
    const env = {
      inCluster: Boolean(io.env.KUBERNETES_SERVICE_HOST),
      isTTY: io.tty,
      instance: io.env.HOSTNAME ?? "",
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
  });
}
