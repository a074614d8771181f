import type { Command } from "commander";

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
 * Declares `mooring controller` and its flags on the program, without its action: kept apart from
 * controller.ts so that declaring it loads nothing of the controller (every CLI run declares it).
 */
export function defineControllerCommand(program: Command): Command {
  const cmd = program
    .command("controller")
    .description("run the GitRepository and Kustomization controllers in this process");
  for (const [flag, help] of FLAGS) cmd.option(flag, help);
  return cmd;
}
