/**
 * `source.toolkit.fluxcd.io/v1` GitRepository: spec and status as JSON (flux-compat §1.1, §1.3)
 * and the defaults Flux applies in code rather than in the CRD. Only types, constants and pure
 * helpers live here.
 */
import { parseDuration } from "../util/duration.js";
import type {
  Artifact,
  Condition,
  FluxObject,
  LocalObjectReference,
  ReconcileRequestStatus,
} from "./meta.js";

/** Values of `spec.provider`; empty means `generic`. */
export const GitProvider = {
  Generic: "generic",
  Aws: "aws",
  Azure: "azure",
  GitHub: "github",
} as const;
/** One of {@link GitProvider}. */
export type GitProvider = (typeof GitProvider)[keyof typeof GitProvider];

/** Values of `spec.verify.mode`; `head` is a legacy spelling of `HEAD`. */
export const GitVerificationMode = {
  head: "head",
  HEAD: "HEAD",
  Tag: "Tag",
  TagAndHEAD: "TagAndHEAD",
} as const;
/** One of {@link GitVerificationMode}. */
export type GitVerificationMode = (typeof GitVerificationMode)[keyof typeof GitVerificationMode];

/** `spec.ref`. Precedence when several are set: commit > name > tag > semver > branch. */
export interface GitRepositoryRef {
  branch?: string;
  tag?: string;
  semver?: string;
  /** A full ref such as `refs/pull/420/head`. */
  name?: string;
  /** A commit SHA; combined with `branch`, the commit must be on that branch. */
  commit?: string;
}

/** `spec.verify`: signature verification of the checked-out commit and/or tag. */
export interface GitRepositoryVerification {
  /** Defaulted to `HEAD` by the CRD. */
  mode?: GitVerificationMode;
  /** Secret holding `*.asc` PGP keyrings and/or `*.sshpub` SSH keys. */
  secretRef: LocalObjectReference;
}

/** `spec.include[]`: copy another GitRepository's artifact (sub)tree into this one. */
export interface GitRepositoryInclude {
  repository: LocalObjectReference;
  /** Source directory in the included artifact; defaults to its root. */
  fromPath?: string;
  /** Target directory in this artifact; defaults to the included repository's name. */
  toPath?: string;
}

/** `spec` of a GitRepository. */
export type GitRepositorySpec = {
  /** `http(s)://` or `ssh://` URL (no scp-style). */
  url: string;
  secretRef?: LocalObjectReference;
  provider?: GitProvider;
  /** Only with provider `aws` or `azure` (CEL rule in the CRD). */
  serviceAccountName?: string;
  /** Go duration, e.g. `1m`. */
  interval: string;
  /** Go duration without `h`; the CRD defaults it to `60s`. */
  timeout?: string;
  ref?: GitRepositoryRef;
  verify?: GitRepositoryVerification;
  proxySecretRef?: LocalObjectReference;
  /** `.gitignore`-syntax exclusions; replaces the default list when set. */
  ignore?: string;
  suspend?: boolean;
  recurseSubmodules?: boolean;
  include?: GitRepositoryInclude[];
  sparseCheckout?: string[];
};

/** `status` of a GitRepository. */
export type GitRepositoryStatus = ReconcileRequestStatus & {
  /** The CRD defaults it to -1 so "never reconciled" differs from generation 0. */
  observedGeneration?: number;
  conditions?: Condition[];
  artifact?: Artifact;
  /** Artifacts of `spec.include` used for the current artifact, in spec order. */
  includedArtifacts?: Artifact[];
  observedIgnore?: string;
  observedRecurseSubmodules?: boolean;
  observedInclude?: GitRepositoryInclude[];
  observedSparseCheckout?: string[];
  /** The verification mode last verified; cleared when `spec.verify` is removed. */
  sourceVerificationMode?: GitVerificationMode;
};

/** A GitRepository object. */
export type GitRepository = FluxObject<GitRepositorySpec, GitRepositoryStatus>;

/** Default of `spec.timeout` (also set by the CRD schema, repeated for objects built in code). */
export const GIT_REPOSITORY_DEFAULT_TIMEOUT = "60s";
/** Branch cloned when `spec.ref` is absent or names nothing. */
export const GIT_REPOSITORY_DEFAULT_BRANCH = "master";

/** `spec.interval` in milliseconds. Throws DurationParseError for a malformed value. */
export function gitRepositoryInterval(spec: Pick<GitRepositorySpec, "interval">): number {
  return parseDuration(spec.interval);
}

/** `spec.timeout` in milliseconds, 60 s when unset. */
export function gitRepositoryTimeout(spec: Pick<GitRepositorySpec, "timeout">): number {
  return parseDuration(spec.timeout ?? GIT_REPOSITORY_DEFAULT_TIMEOUT);
}

/** True when the ref selects something other than a branch (commit, name, tag or semver). */
function hasNonBranchRef(ref: GitRepositoryRef): boolean {
  return Boolean(ref.commit || ref.name || ref.tag || ref.semver);
}

/**
 * The ref to clone: the given one, or `{branch: "master"}` when nothing is selected (Flux's
 * default). A ref with only empty strings counts as unset.
 */
export function gitRepositoryRef(spec: Pick<GitRepositorySpec, "ref">): GitRepositoryRef {
  const ref = spec.ref ?? {};
  if (hasNonBranchRef(ref) || ref.branch) return ref;
  return { ...ref, branch: GIT_REPOSITORY_DEFAULT_BRANCH };
}

/** The verification mode with `head` folded into `HEAD`; undefined when `verify` is unset. */
export function gitVerificationMode(
  spec: Pick<GitRepositorySpec, "verify">,
): Exclude<GitVerificationMode, "head"> | undefined {
  if (!spec.verify) return undefined;
  const mode = spec.verify.mode ?? GitVerificationMode.HEAD;
  return mode === GitVerificationMode.head ? GitVerificationMode.HEAD : mode;
}

/** Where an include lands in this artifact: `toPath`, else the included repository's name. */
export function includeToPath(include: GitRepositoryInclude): string {
  return include.toPath || include.repository.name;
}

/** Where an include is read from in the included artifact: `fromPath`, else its root. */
export function includeFromPath(include: GitRepositoryInclude): string {
  return include.fromPath ?? "";
}
