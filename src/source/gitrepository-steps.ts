/**
 * The GitRepository reconcile as Flux orders it (flux-compat §1.5): reconcileStorage,
 * reconcileSource, reconcileInclude, reconcileArtifact. Each step's comment lists the conditions
 * it sets and clears; a failing step marks its condition and throws a classified error.
 */
import {
  ConditionType,
  GIT_REPOSITORY,
  GIT_REPOSITORY_FIELDS,
  Reason,
  gitRepositoryRef,
  type GitRepository,
  unsupportedField,
  includeFromPath,
  includeToPath,
} from "../api/index.js";
import { deleteCondition, isTrue, markReconciling, markTrue } from "../runtime/conditions.js";
import { GenericError, StallingError, WaitingError } from "../runtime/errors.js";
import {
  artifactTime,
  failOn,
  reconcileStorage as reconcileStorageOf,
  recordArtifact,
} from "./artifact-steps.js";
import { gitAuthFor, parseRepositoryUrl } from "./git-auth.js";
import type { GitProxy } from "./git-http.js";
import { proxyFor } from "./git-proxy.js";
import type { GitTarget } from "./git-client.js";
import { clearFailedVerification, reconcileVerification } from "./gitrepository-verify.js";
import { loadIgnoreMatcher } from "./ignore.js";
import { copyIncludedArtifact } from "./include-copy.js";
import { refStrategy } from "./ref.js";
import { revisionsEqual } from "./revision.js";
import {
  contentConfigChanged,
  withoutStatus,
  withStatus,
  type GitRepositoryDeps,
  type ResolvedInclude,
  type RunState,
} from "./gitrepository-state.js";

const nsName = (s: RunState): { namespace: string; name: string } => ({
  namespace: s.obj.metadata.namespace ?? "",
  name: s.obj.metadata.name ?? "",
});

/**
 * First step (issue 15): a spec field mooring does not implement stalls the object before any
 * work, with the reason and remedy from `GIT_REPOSITORY_FIELDS`. Sets nothing itself; the result
 * computation marks Stalled and Ready=False.
 */
export function reconcileFieldSupport(_deps: GitRepositoryDeps, s: RunState): Promise<void> {
  const stall = unsupportedField(s.obj, GIT_REPOSITORY_FIELDS);
  if (stall !== undefined) return Promise.reject(new StallingError(stall.reason, stall.message));
  return Promise.resolve();
}

/** The shared storage step (artifact-steps.ts). */
export const reconcileStorage = reconcileStorageOf<GitRepository>;

async function secretData(deps: GitRepositoryDeps, s: RunState): Promise<Record<string, string> | undefined> {
  const ref = s.obj.spec.secretRef;
  if (ref === undefined) return undefined;
  const data = await deps.client.getSecretData({ namespace: nsName(s).namespace, name: ref.name });
  if (data === undefined) {
    throw new GenericError(
      Reason.AuthenticationFailed,
      `failed to get secret '${nsName(s).namespace}/${ref.name}': secrets "${ref.name}" not found`,
    );
  }
  return data;
}

/** The proxy of `spec.proxySecretRef`, if any (its credentials join the scrubbed secrets). */
async function proxySettings(deps: GitRepositoryDeps, s: RunState): Promise<GitProxy | undefined> {
  const ref = s.obj.spec.proxySecretRef;
  if (ref === undefined) return undefined;
  const { namespace } = nsName(s);
  const data = await deps.client.getSecretData({ namespace, name: ref.name });
  const settings = proxyFor(data, `${namespace}/${ref.name}`);
  s.secrets.push(...settings.secrets);
  return settings.proxy;
}

async function resolveIncludes(deps: GitRepositoryDeps, s: RunState): Promise<ResolvedInclude[]> {
  const out: ResolvedInclude[] = [];
  for (const include of s.obj.spec.include ?? []) {
    const name = include.repository.name;
    const dep = await deps.client.get({ namespace: nsName(s).namespace, name });
    const wait = (reason: string, message: string): never => {
      s.obj = markTrue(s.obj, ConditionType.IncludeUnavailable, { reason, message, now: s.ctx.now() });
      throw new WaitingError(reason, message, { requeueAfterMs: deps.options.requeueDependencyMs });
    };
    if (dep === undefined)
      wait(
        Reason.NotFound,
        `could not get resource for include '${name}': GitRepository '${name}' not found`,
      );
    const artifact = dep?.status?.artifact;
    if (artifact === undefined) wait(Reason.NoArtifact, `no artifact available for include '${name}'`);
    out.push({ include, artifact: artifact! });
  }
  s.obj = deleteCondition(s.obj, ConditionType.IncludeUnavailable);
  return out;
}

/** The no-op shortcut: same revision, artifact in storage, same content configuration. */
function isUnchanged(s: RunState): boolean {
  return (
    revisionsEqual(s.obj.status?.artifact?.revision, s.resolved?.revision) &&
    isTrue(s.obj, ConditionType.ArtifactInStorage) &&
    !contentConfigChanged(s.obj, s.includes)
  );
}

/** ArtifactOutdated + Reconciling when an older artifact exists for another revision. */
function markNewRevision(s: RunState): void {
  const artifact = s.obj.status?.artifact;
  const revision = s.resolved!.revision;
  if (artifact === undefined || revisionsEqual(artifact.revision, revision)) return;
  const message = `new upstream revision '${revision}'`;
  const now = s.ctx.now();
  s.obj = markTrue(s.obj, ConditionType.ArtifactOutdated, { reason: Reason.NewRevision, message, now });
  s.obj = markReconciling(s.obj, {
    reason: Reason.Progressing,
    message: `building artifact: ${message}`,
    now,
  });
}

/**
 * URL, credentials, includes, ref resolution (one ls-refs), the no-op shortcut, checkout, then
 * signature verification (gitrepository-verify.ts) before anything is stored.
 * Sets: FetchFailed or IncludeUnavailable on failure; SourceVerified; ArtifactOutdated +
 * Reconciling on a new revision. Clears: FetchFailed, IncludeUnavailable, a failed SourceVerified.
 */
export async function reconcileSource(deps: GitRepositoryDeps, s: RunState): Promise<void> {
  clearFailedVerification(s);
  s.includes = await resolveIncludes(deps, s);
  await fetchSource(deps, s);
  if (s.noop) return;
  await reconcileVerification(deps, s, () => deps.git.readRawObjects(gitTarget(s), s.resolved!));
  markNewRevision(s);
}

function gitTarget(s: RunState): GitTarget {
  return {
    auth: s.auth!,
    ...(s.proxy === undefined ? {} : { proxy: s.proxy }),
    cacheKey: `${nsName(s).namespace}/${nsName(s).name}`,
    signal: s.signal,
    timeoutMs: s.timeoutMs,
  };
}

/** The parsed URL; an ssh:// URL with a proxy stalls (mooring has no proxy for SSH, issue 21). */
function repositoryUrl(s: RunState): URL {
  const url = parseRepositoryUrl(s.obj.spec.url);
  if (url.protocol === "ssh:" && s.obj.spec.proxySecretRef !== undefined) {
    throw new StallingError(
      Reason.UnsupportedField,
      "spec.proxySecretRef is not supported by mooring with an ssh:// URL: remove it and reach the SSH server directly, or use the repository's HTTPS URL through the proxy",
    );
  }
  return url;
}

async function fetchSource(deps: GitRepositoryDeps, s: RunState): Promise<void> {
  try {
    const url = repositoryUrl(s);
    const data = await secretData(deps, s);
    s.auth = gitAuthFor(url, data, s.obj.spec.secretRef?.name);
    s.secrets.push(...s.auth.secrets);
    const proxy = await proxySettings(deps, s);
    s.strategy = refStrategy(gitRepositoryRef(s.obj.spec));
    if (proxy !== undefined) s.proxy = proxy;
    const target = gitTarget(s);
    s.resolved = await deps.git.resolve(target, s.strategy);
    if (isUnchanged(s)) {
      s.noop = true;
      s.obj = deleteCondition(s.obj, ConditionType.FetchFailed);
      return;
    }
    // Without includes or sparse checkout the artifact is written straight from the git objects;
    // otherwise the tree is checked out so includes can be copied in.
    s.direct = (s.obj.spec.include ?? []).length === 0 && (s.obj.spec.sparseCheckout ?? []).length === 0;
    const req = { strategy: s.strategy, resolved: s.resolved };
    const fetched = s.direct
      ? await deps.git.fetch(target, req)
      : await deps.git.checkout(target, { ...req, dest: s.workDir, sparse: s.obj.spec.sparseCheckout });
    s.subject = fetched.subject;
    s.obj = deleteCondition(s.obj, ConditionType.FetchFailed);
  } catch (err) {
    failOn(s, ConditionType.FetchFailed, err, Reason.GitOperationFailed);
  }
}

/**
 * Copies each include's artifact (sub)tree into the checkout.
 * On failure: StorageOperationFailed (CopyFailure).
 */
export async function reconcileInclude(deps: GitRepositoryDeps, s: RunState): Promise<void> {
  if (s.noop) return;
  try {
    for (const { include, artifact } of s.includes) {
      await copyIncludedArtifact(
        deps.storage.localPath(artifact.path),
        includeFromPath(include),
        s.workDir,
        includeToPath(include),
      );
    }
  } catch (err) {
    failOn(s, ConditionType.StorageOperationFailed, err, Reason.CopyFailure);
  }
}

/**
 * Archives the checkout (unless nothing changed) and records the artifact and the observed spec.
 * Sets: ArtifactInStorage. Clears: ArtifactOutdated, StorageOperationFailed.
 * On failure: StorageOperationFailed (ArchiveOperationFailed).
 */
export async function reconcileArtifact(deps: GitRepositoryDeps, s: RunState): Promise<void> {
  await recordArtifact(s, () => writeArtifact(deps, s), {
    stored: `stored artifact for revision '${s.resolved!.revision}'`,
    newArtifact: () => `stored artifact for commit '${(s.subject ?? "").slice(0, 50)}'`,
  });
}

async function writeArtifact(deps: GitRepositoryDeps, s: RunState): Promise<void> {
  const { namespace, name } = nsName(s);
  const resolved = s.resolved!;
  const path = deps.storage.artifactPath(GIT_REPOSITORY.kind, namespace, name, `${resolved.commit}.tar.gz`);
  await deps.storage.ensureDir(path.slice(0, path.lastIndexOf("/")));
  const release = await deps.storage.lock(path);
  try {
    const { digest, size } = s.direct
      ? await deps.git.archive(`${namespace}/${name}`, {
          commit: resolved.commit,
          dest: deps.storage.localPath(path),
          ...(s.obj.spec.ignore === undefined ? {} : { specIgnore: s.obj.spec.ignore }),
          signal: s.signal,
        })
      : await deps.storage.archive(s.workDir, path, await loadIgnoreMatcher(s.workDir, s.obj.spec.ignore));
    const spec = s.obj.spec;
    s.obj = withoutStatus(
      s.obj,
      "observedIgnore",
      "observedInclude",
      "observedSparseCheckout",
      "includedArtifacts",
    );
    s.obj = withStatus(s.obj, {
      artifact: {
        path,
        url: deps.storage.url(path),
        revision: resolved.revision,
        digest,
        size,
        lastUpdateTime: artifactTime(s.ctx.now()),
      },
      // Submodules are never checked out (recurseSubmodules: true stalls, issue 15).
      observedRecurseSubmodules: false,
      ...(spec.ignore === undefined ? {} : { observedIgnore: spec.ignore }),
      ...(spec.include === undefined || spec.include.length === 0
        ? {}
        : { observedInclude: spec.include, includedArtifacts: s.includes.map((i) => i.artifact) }),
      ...(spec.sparseCheckout === undefined || spec.sparseCheckout.length === 0
        ? {}
        : { observedSparseCheckout: spec.sparseCheckout }),
    });
  } finally {
    await release();
  }
}
