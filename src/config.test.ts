import { describe, expect, it } from "vitest";
import { parseControllerArgs } from "./cli/commands/controller.js";
import { ConfigError, controllerConfig } from "./config.js";
import { unsupportedGateWarnings } from "./feature-gates.js";
import { kustomizationOptionsFor } from "./main.js";

describe("controller config", () => {
  it("has Flux's defaults", () => {
    const c = controllerConfig({}, { HOSTNAME: "pod-1" });
    expect(c).toMatchObject({
      concurrent: 4,
      requeueDependencyMs: 30_000,
      storagePath: "/data",
      storageAddr: ":9090",
      storageAdvAddr: "localhost:9090",
      metricsAddr: ":8080",
      healthAddr: ":9440",
      artifactRetentionTtlMs: 60_000,
      artifactRetentionRecords: 2,
      minRetryDelayMs: 750,
      maxRetryDelayMs: 900_000,
      leaderElect: false,
      logEncoding: "json",
      gracefulShutdownTimeoutMs: 25_000,
    });
    expect(controllerConfig({ gracefulShutdownTimeout: "10s" }, {}).gracefulShutdownTimeoutMs).toBe(10_000);
    expect(Object.isFrozen(c)).toBe(true);
  });

  it("watches ConfigMaps/Secrets labelled reconcile.fluxcd.io/watch=Enabled unless told otherwise (issue 15)", () => {
    expect(controllerConfig({}, {}).watchConfigsLabelSelector).toBe("reconcile.fluxcd.io/watch=Enabled");
    expect(controllerConfig({ watchConfigsLabelSelector: "owner!=helm" }, {}).watchConfigsLabelSelector).toBe(
      "owner!=helm",
    );
    // An explicit empty selector is Flux's "everything".
    expect(controllerConfig({ watchConfigsLabelSelector: "" }, {}).watchConfigsLabelSelector).toBe("");
  });

  it("rejects nonsense with the flag's name", () => {
    expect(() => controllerConfig({ concurrent: "0" }, {})).toThrow(
      new ConfigError('--concurrent must be an integer >= 1, got "0"'),
    );
    expect(() => controllerConfig({ requeueDependency: "soon" }, {})).toThrow(
      /--requeue-dependency: time: invalid duration/,
    );
    expect(() => controllerConfig({ logEncoding: "xml" }, {})).toThrow(
      /--log-encoding must be one of json, console/,
    );
  });

  it("build limits: defaults, overrides through the command line, and a heap floor (issue 14)", () => {
    expect(controllerConfig({}, {})).toMatchObject({
      buildMaxHeapBytes: 512 * 1024 * 1024,
      buildMaxFileBytes: 16 * 1024 * 1024,
      buildMaxTotalBytes: 64 * 1024 * 1024,
      buildMaxObjects: 10_000,
    });
    const args = [
      "--build-max-heap-bytes=134217728",
      "--build-max-file-bytes=1000",
      "--build-max-total-bytes=5000",
      "--build-max-objects=7",
    ];
    expect(parseControllerArgs(args, {})).toMatchObject({
      buildMaxHeapBytes: 134217728,
      buildMaxFileBytes: 1000,
      buildMaxTotalBytes: 5000,
      buildMaxObjects: 7,
    });
    expect(() => controllerConfig({ buildMaxHeapBytes: "1000" }, {})).toThrow(
      /--build-max-heap-bytes must be an integer >= 67108864/,
    );
  });

  it("retry delays: Flux's 750ms..15m, overridable, ordered; both controllers get them (issue 17)", () => {
    const c = controllerConfig({ minRetryDelay: "2s", maxRetryDelay: "1m" }, {});
    expect(c).toMatchObject({ minRetryDelayMs: 2_000, maxRetryDelayMs: 60_000 });
    expect(kustomizationOptionsFor(c).backoff).toEqual({ baseDelayMs: 2_000, maxDelayMs: 60_000 });
    expect(() => controllerConfig({ minRetryDelay: "2m", maxRetryDelay: "1m" }, {})).toThrow(
      new ConfigError("--min-retry-delay (120000 ms) must not be greater than --max-retry-delay (60000 ms)"),
    );
    expect(() => controllerConfig({ minRetryDelay: "0s" }, {})).toThrow(
      new ConfigError("--min-retry-delay must be greater than 0"),
    );
  });

  it("--verify-noop-every: default 10, reaches the Kustomization options, 0 allowed (issue 17)", () => {
    expect(kustomizationOptionsFor(controllerConfig({}, {})).verifyNoopEvery).toBe(10);
    expect(kustomizationOptionsFor(controllerConfig({ verifyNoopEvery: "1" }, {})).verifyNoopEvery).toBe(1);
    expect(controllerConfig({ verifyNoopEvery: "0" }, {}).verifyNoopEvery).toBe(0);
    expect(() => controllerConfig({ verifyNoopEvery: "-1" }, {})).toThrow(
      /--verify-noop-every must be an integer >= 0/,
    );
  });

  it("--prune-guard: on by default, =false reaches the Kustomization options, bad values refused (issue 20)", () => {
    expect(kustomizationOptionsFor(parseControllerArgs([], {})).pruneGuard).toBe(true);
    expect(kustomizationOptionsFor(parseControllerArgs(["--prune-guard=false"], {})).pruneGuard).toBe(false);
    expect(kustomizationOptionsFor(parseControllerArgs(["--prune-guard"], {})).pruneGuard).toBe(true);
    expect(() => parseControllerArgs(["--prune-guard=maybe"], {})).toThrow(/--prune-guard must be true or false/);
  });

  it("derives the advertised address like Flux unless one is given", () => {
    expect(controllerConfig({ storageAddr: "0.0.0.0:9090" }, { HOSTNAME: "host-a" }).storageAdvAddr).toBe(
      "host-a:9090",
    );
    expect(controllerConfig({ storageAdvAddr: "mooring.mooring-system.svc" }, {}).storageAdvAddr).toBe(
      "mooring.mooring-system.svc",
    );
  });

  it("--sops-age-secret names a Secret in $RUNTIME_NAMESPACE, like kustomize-controller (issue 15)", () => {
    expect(controllerConfig({}, {}).sopsAgeSecret).toBeUndefined();
    expect(
      parseControllerArgs(["--sops-age-secret", "sops-age"], { RUNTIME_NAMESPACE: "flux-system" })
        .sopsAgeSecret,
    ).toEqual({
      namespace: "flux-system",
      name: "sops-age",
    });
    expect(parseControllerArgs(["--sops-age-secret=sops-age"], {}).sopsAgeSecret).toEqual({
      namespace: "mooring-system",
      name: "sops-age",
    });
  });
});

describe("Flux's controller flags (issue 15)", () => {
  it("accepts the command line of Flux's install manifests and overlays", () => {
    const c = parseControllerArgs(
      [
        "--events-addr=http://notification-controller.flux-system.svc.cluster.local./",
        "--watch-all-namespaces=true",
        "--log-level=info",
        "--log-encoding=json",
        "--enable-leader-election",
        "--storage-path=/data",
        "--storage-adv-addr=source-controller.$(RUNTIME_NAMESPACE).svc.cluster.local.",
        "--feature-gates=ExternalArtifact=true",
        "--no-remote-bases=true",
        "--no-cross-namespace-refs=true",
        "--concurrent=10",
        "--requeue-dependency=5s",
        "--kube-api-qps=500",
        "--kube-api-burst=1000",
      ],
      { RUNTIME_NAMESPACE: "flux-system" },
    );
    expect(c).toMatchObject({
      eventsAddr: "http://notification-controller.flux-system.svc.cluster.local./",
      watchNamespace: undefined,
      leaderElect: true,
      noRemoteBases: true,
      noCrossNamespaceRefs: true,
      concurrent: 10,
      kubeApiQps: 500,
      kubeApiBurst: 1000,
    });
    expect(c.featureGates.ExternalArtifact).toBe(true);
  });

  it("--kube-api-qps/--kube-api-burst default to Flux's 50/300 and refuse values that cannot serve", () => {
    expect(parseControllerArgs([], {})).toMatchObject({ kubeApiQps: 50, kubeApiBurst: 300 });
    expect(parseControllerArgs(["--kube-api-qps=2.5"], {}).kubeApiQps).toBe(2.5);
    expect(() => parseControllerArgs(["--kube-api-qps=0"], {})).toThrow(
      "--kube-api-qps must be a number > 0",
    );
    expect(() => parseControllerArgs(["--kube-api-burst=0"], {})).toThrow(
      "--kube-api-burst must be an integer >= 1",
    );
  });

  it("--no-x, --no-x=true and --no-x=false mean what they mean in Flux", () => {
    expect(parseControllerArgs(["--no-remote-bases"], {}).noRemoteBases).toBe(true);
    expect(parseControllerArgs(["--no-remote-bases=false"], {}).noRemoteBases).toBe(false);
    expect(parseControllerArgs([], {}).noRemoteBases).toBe(false);
    expect(parseControllerArgs(["--no-cross-namespace-refs"], {}).noCrossNamespaceRefs).toBe(true);
    expect(parseControllerArgs(["--no-cross-namespace-refs=false"], {}).noCrossNamespaceRefs).toBe(false);
    expect(() => parseControllerArgs(["--no-remote-bases=maybe"], {})).toThrow(
      /--no-remote-bases must be true or false/,
    );
  });

  it("--watch-all-namespaces=false watches $RUNTIME_NAMESPACE only, and says so when it is unset", () => {
    expect(
      parseControllerArgs(["--watch-all-namespaces=false"], { RUNTIME_NAMESPACE: "team" }).watchNamespace,
    ).toBe("team");
    expect(
      parseControllerArgs(["--watch-all-namespaces"], { RUNTIME_NAMESPACE: "team" }).watchNamespace,
    ).toBe(undefined);
    expect(() => parseControllerArgs(["--watch-all-namespaces=false"], {})).toThrow(
      /needs RUNTIME_NAMESPACE/,
    );
  });

  it("--enable-leader-election is Flux's name for --leader-elect, with Flux's timing flags", () => {
    const c = parseControllerArgs(
      [
        "--enable-leader-election=true",
        "--leader-election-lease-duration=35s",
        "--leader-election-renew-deadline=30s",
        "--leader-election-retry-period=5s",
        "--leader-election-release-on-cancel=false",
      ],
      {},
    );
    expect(c).toMatchObject({
      leaderElect: true,
      leaderElectionLeaseDurationMs: 35_000,
      leaderElectionRenewDeadlineMs: 30_000,
      leaderElectionRetryPeriodMs: 5_000,
      leaderElectionReleaseOnCancel: false,
    });
    expect(parseControllerArgs([], {}).leaderElect).toBe(false);
  });

  it("--feature-gates: Flux's defaults, Flux's refusal of unknown gates, a bad bool named", () => {
    const defaults = parseControllerArgs([], {}).featureGates;
    expect(defaults).toMatchObject({ StrictPostBuildSubstitutions: true, DisableStatusPollerCache: true });
    expect(defaults.CancelHealthCheckOnNewRevision).toBe(false);
    expect(() => parseControllerArgs(["--feature-gates=NoSuchGate=true"], {})).toThrow(
      "--feature-gates: feature-gate 'NoSuchGate' not supported",
    );
    expect(() => parseControllerArgs(["--feature-gates=GroupChangeLog=yes"], {})).toThrow(
      /--feature-gates: invalid value of GroupChangeLog: yes/,
    );
  });

  it("gates mooring honours reach the Kustomization options", () => {
    const on = kustomizationOptionsFor(
      parseControllerArgs(
        [
          "--feature-gates=StrictPostBuildSubstitutions=false,DisableFailFastBehavior=true,CancelHealthCheckOnNewRevision=true,AdditiveCELDependencyCheck=true,DisableConfigWatchers=true,ExternalArtifact=true",
        ],
        {},
      ),
    );
    expect(on).toMatchObject({
      strictSubstitution: false,
      healthFailFast: false,
      cancelHealthCheckOnNewRevision: true,
      additiveCELDependencyCheck: true,
      allowExternalArtifact: true,
      watchConfigs: false,
    });
    const off = kustomizationOptionsFor(parseControllerArgs([], {}));
    expect(off).toMatchObject({
      strictSubstitution: true,
      healthFailFast: true,
      cancelHealthCheckOnNewRevision: false,
      additiveCELDependencyCheck: false,
      allowExternalArtifact: false,
      watchConfigs: true,
    });
  });

  it("gates mooring cannot honour are named, only when set away from Flux's default", () => {
    expect(unsupportedGateWarnings(parseControllerArgs([], {}).featureGates)).toEqual([]);
    const gates = parseControllerArgs(
      ["--feature-gates=ExternalArtifact=true,GroupChangeLog=false,CacheSecretsAndConfigMaps=true"],
      {},
    ).featureGates;
    expect(unsupportedGateWarnings(gates)).toEqual([
      "feature gate CacheSecretsAndConfigMaps=true has no effect in mooring: mooring reads Secrets and ConfigMaps from the API server on every use, with or without it",
    ]);
  });
});
