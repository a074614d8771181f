/**
 * `--feature-gates` as Flux's source-controller and kustomize-controller define it (issue 15):
 * the union of both controllers' gates with Flux's defaults, parsed as Flux's `MapStringBool`
 * (`A=true,B=false`) and refusing an unknown gate with Flux's wording. Each gate says what mooring
 * does with it; a gate mooring cannot honour is accepted (so copied overlays keep running) and
 * named in a startup warning when it is set away from its default.
 */

/** What mooring does with one gate. */
export interface FeatureGate {
  /** Flux's default. */
  readonly default: boolean;
  /** Undefined when mooring honours the gate; else why setting it changes nothing. */
  readonly unsupported?: string;
}

/** Gates of source-controller and kustomize-controller (fluxcd/pkg runtime and auth gates included). */
export const FEATURE_GATES: Readonly<Record<string, FeatureGate>> = {
  StrictPostBuildSubstitutions: { default: true },
  DisableFailFastBehavior: { default: false },
  CancelHealthCheckOnNewRevision: { default: false },
  CacheSecretsAndConfigMaps: {
    default: false,
    unsupported: "mooring reads Secrets and ConfigMaps from the API server on every use, with or without it",
  },
  DisableStatusPollerCache: {
    default: true,
    unsupported: "mooring's health checks read objects directly and keep no status poller cache",
  },
  DirectSourceFetch: {
    default: false,
    unsupported: "mooring already reads sources from its informer cache, which is kept current by a watch",
  },
  GroupChangeLog: { default: false, unsupported: "mooring logs the change set in one format only" },
  ObjectLevelWorkloadIdentity: {
    default: false,
    unsupported: "workload identity is not implemented; objects using it stall with UnsupportedField",
  },
  ExternalArtifact: { default: false },
  AdditiveCELDependencyCheck: { default: false },
  DisableConfigWatchers: { default: false },
  MigrateAPIVersion: {
    default: false,
    unsupported: "mooring does not rewrite the API version recorded in managed fields",
  },
};

/** Gate name to value, every gate present. */
export type FeatureGates = Readonly<Record<string, boolean>>;

const GO_TRUE = new Set(["1", "t", "T", "TRUE", "true", "True"]);
const GO_FALSE = new Set(["0", "f", "F", "FALSE", "false", "False"]);

/** Go's `strconv.ParseBool`; undefined for anything else. */
export function parseGoBool(value: string): boolean | undefined {
  if (GO_TRUE.has(value)) return true;
  if (GO_FALSE.has(value)) return false;
  return undefined;
}

/**
 * Parses `--feature-gates` (`A=true,B=false`) over Flux's defaults. Throws with Flux's message
 * (`feature-gate 'X' not supported`) for an unknown gate, and names a value that is not a bool.
 */
export function parseFeatureGates(raw: string | undefined): FeatureGates {
  const out: Record<string, boolean> = {};
  for (const [name, gate] of Object.entries(FEATURE_GATES)) out[name] = gate.default;
  for (const pair of (raw ?? "").split(",").map((s) => s.trim())) {
    if (pair === "") continue;
    const [name = "", value = ""] = pair.split("=", 2);
    const enabled = parseGoBool(value.trim());
    if (enabled === undefined) throw new Error(`invalid value of ${name}: ${value}, err: invalid syntax`);
    if (FEATURE_GATES[name.trim()] === undefined) throw new Error(`feature-gate '${name}' not supported`);
    out[name.trim()] = enabled;
  }
  return Object.freeze(out);
}

/** One line per gate set away from its default that mooring cannot honour (for a startup warning). */
export function unsupportedGateWarnings(gates: FeatureGates): string[] {
  return Object.entries(FEATURE_GATES)
    .filter(([name, gate]) => gate.unsupported !== undefined && gates[name] !== gate.default)
    .map(
      ([name, gate]) =>
        `feature gate ${name}=${String(gates[name])} has no effect in mooring: ${gate.unsupported}`,
    );
}
