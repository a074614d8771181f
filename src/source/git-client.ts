/**
 * The source controller's git client, on isomorphic-git.
 *
 * Two operations, so a reconcile can stop after the cheap one: `resolve` asks the server which
 * commit the ref points at (one protocol-v2 `ls-refs` with a ref prefix; no objects), and
 * `checkout` fetches what the cache lacks (depth 1, one branch or tag; full history only for
 * commit refs) and writes the tree into a work dir. The cache is a bare repository per
 * GitRepository, so an unchanged remote costs one ref discovery and a moved branch only fetches
 * what is new.
 */
import * as fs from "node:fs";
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import git, { type HttpClient, type ServerRef } from "isomorphic-git";
import { Reason } from "../api/index.js";
import { GenericError } from "../runtime/errors.js";
import type { GitAuth } from "./git-auth.js";
import { writeArchive, type ArchiveResult } from "./archive.js";
import { checkoutTree } from "./git-checkout.js";
import { commitEntries } from "./git-tree-archive.js";
import { classifyGitError } from "./git-errors.js";
import { fetchPack } from "./git-fetch.js";
import { ServerProtocols } from "./git-remote.js";
import { ObjectStore } from "./git-objects.js";
import { parseCommit } from "./git-tree.js";
import { createGitHttpClient, type GitProxy, PackTooLargeError } from "./git-http.js";
import { createGitSshTransport, SSH_TRANSPORT_URL } from "./git-ssh-http.js";
import { remoteRefFor, revisionRefName, selectSemverTag, type RefStrategy } from "./ref.js";
import { formatRevision } from "./revision.js";

/** Options of {@link GitClient}. */
export interface GitClientOptions {
  /** Directory holding one bare cache repository per GitRepository. */
  readonly cacheRoot: string;
  /** Largest pack accepted from a server, in bytes; unlimited when absent. */
  readonly maxPackBytes?: number;
}

/** One remote operation's inputs. */
export interface GitTarget {
  readonly auth: GitAuth;
  /** `spec.proxySecretRef`: every request goes through this proxy. */
  readonly proxy?: GitProxy;
  /** Cache key, e.g. `<namespace>/<name>`. */
  readonly cacheKey: string;
  readonly signal?: AbortSignal;
  readonly timeoutMs?: number;
}

/** A ref resolved on the server. */
export interface ResolvedRef {
  readonly commit: string;
  /** Full remote ref fetched (undefined for commit-only). */
  readonly fullRef: string | undefined;
  /** Flux revision string, e.g. `main@sha1:<hash>`. */
  readonly revision: string;
  /** The annotated tag object the ref points at (undefined for branches and lightweight tags). */
  readonly tagObject?: string;
}

/** Raw objects to verify signatures on. */
export interface RawObjects {
  readonly commit: Uint8Array;
  /** The annotated tag object, when the ref is one. */
  readonly tag?: Uint8Array;
}

/** Outcome of a checkout. */
export interface CheckoutResult {
  readonly commit: string;
  readonly revision: string;
  /** Commit subject, for the NewArtifact event. */
  readonly subject: string;
  /** True when objects were downloaded (false when the cache already had the commit). */
  readonly fetched: boolean;
}

/** What to check out, and where. */
export interface CheckoutRequest {
  readonly strategy: RefStrategy;
  readonly resolved: ResolvedRef;
  readonly dest: string;
  /** `spec.sparseCheckout` directories. */
  readonly sparse?: readonly string[];
}

const MAX_PACKS = 20;
/** Local ref to the last commit fetched; its oid is sent as `have` on the next fetch. */
const LAST_REF = "refs/mooring/last";

function operationFailed(message: string): GenericError {
  return new GenericError(Reason.GitOperationFailed, message);
}

/** What isomorphic-git is handed for one remote operation. */
interface Remote {
  readonly http: HttpClient;
  readonly url: string;
  readonly headers: Record<string, string>;
}

/** The git client; one per controller, safe for concurrent use on different cache keys. */
export class GitClient {
  /** What each HTTP git server speaks, so commands skip the discovery (git-remote.ts). */
  private readonly protocols = new ServerProtocols();

  constructor(private readonly opts: GitClientOptions) {}

  /** Resolves the strategy to a commit with a single ref listing. */
  async resolve(target: GitTarget, strategy: RefStrategy): Promise<ResolvedRef> {
    try {
      return await this.resolveInner(target, strategy);
    } catch (err) {
      throw classifyGitError(err, this.errorContext(target));
    }
  }

  /** Makes sure the resolved commit is in the cache, then writes its tree into `req.dest`. */
  async checkout(target: GitTarget, req: CheckoutRequest): Promise<CheckoutResult> {
    const { strategy, resolved, dest, sparse } = req;
    const cache = {};
    try {
      const gitdir = await this.prepareCache(target);
      const fetched = await this.ensureCommit({ target, strategy, resolved, gitdir, cache });
      const subject = await withStore(gitdir, (store) =>
        checkoutTree({ store, commit: resolved.commit, dest, sparse, signal: target.signal }),
      );
      return { commit: resolved.commit, revision: resolved.revision, subject, fetched };
    } catch (err) {
      throw classifyGitError(err, this.errorContext(target));
    }
  }

  /**
   * Makes sure the resolved commit is in the cache without checking it out (the caller then
   * archives straight from the objects with {@link archive}).
   */
  async fetch(
    target: GitTarget,
    req: Omit<CheckoutRequest, "dest" | "sparse">,
  ): Promise<Omit<CheckoutResult, "revision">> {
    const cache = {};
    try {
      const gitdir = await this.prepareCache(target);
      const fetched = await this.ensureCommit({
        target,
        strategy: req.strategy,
        resolved: req.resolved,
        gitdir,
        cache,
      });
      const { subject } = parseCommit(
        await withStore(gitdir, (s) => s.readAs(req.resolved.commit, "commit")),
      );
      return { commit: req.resolved.commit, subject, fetched };
    } catch (err) {
      throw classifyGitError(err, this.errorContext(target));
    }
  }

  /** Writes the artifact of a cached commit to `dest`, applying `.sourceignore` and `specIgnore`. */
  async archive(
    cacheKey: string,
    req: { commit: string; dest: string; specIgnore?: string; signal?: AbortSignal },
  ): Promise<ArchiveResult> {
    const store = await ObjectStore.open(this.cacheDir(cacheKey));
    try {
      const src = { store, ...(req.signal ? { signal: req.signal } : {}) };
      return await writeArchive(await commitEntries(src, req.commit, req.specIgnore), req.dest);
    } finally {
      await store.close();
    }
  }

  /**
   * The raw commit and, when the ref points at an annotated tag, the raw tag object, from the
   * cache (the tag is fetched when the cache has the commit but not the tag).
   */
  async readRawObjects(target: GitTarget, resolved: ResolvedRef): Promise<RawObjects> {
    const gitdir = this.cacheDir(target.cacheKey);
    const readRaw = (oid: string): Promise<Uint8Array> =>
      withStore(gitdir, async (s) => (await s.read(oid)).data);
    try {
      const commit = await readRaw(resolved.commit);
      if (resolved.tagObject === undefined) return { commit };
      const tag = await readRaw(resolved.tagObject).catch(async () => {
        await this.fetchRef(target, gitdir, resolved.fullRef ?? "HEAD");
        return readRaw(resolved.tagObject!);
      });
      return { commit, tag };
    } catch (err) {
      throw classifyGitError(err, this.errorContext(target));
    }
  }

  private async fetchRef(target: GitTarget, gitdir: string, remoteRef: string): Promise<void> {
    await this.withRemote(target, (remote) =>
      git.fetch({
        fs,
        ...remote,
        gitdir,
        ref: "refs/mooring/tag",
        remoteRef,
        singleBranch: true,
        tags: false,
        depth: 1,
      }),
    );
  }

  /** Deletes an object's cache (on deletion of the GitRepository). */
  async removeCache(cacheKey: string): Promise<void> {
    await rm(this.cacheDir(cacheKey), { recursive: true, force: true });
  }

  private errorContext(target: GitTarget): Parameters<typeof classifyGitError>[1] {
    return {
      url: target.auth.url,
      secrets: [
        ...target.auth.secrets,
        ...[target.proxy?.username, target.proxy?.password].filter((v) => v !== undefined),
      ],
      credentialSource: target.auth.credentialSource,
      signal: target.signal,
      timeoutMs: target.timeoutMs,
    };
  }

  /**
   * Runs one remote operation with the transport the URL needs: HTTP(S) through the shared
   * client, or SSH through a connection opened for this operation and closed after it.
   */
  private async withRemote<T>(target: GitTarget, op: (remote: Remote) => Promise<T>): Promise<T> {
    const ssh = target.auth.ssh;
    if (ssh === undefined) {
      return op({ http: this.http(target), url: target.auth.url, headers: { ...target.auth.headers } });
    }
    const transport = createGitSshTransport(ssh, {
      ...(target.signal ? { signal: target.signal } : {}),
      ...(this.opts.maxPackBytes === undefined ? {} : { maxPackBytes: this.opts.maxPackBytes }),
      ...(target.timeoutMs === undefined ? {} : { readyTimeoutMs: target.timeoutMs }),
    });
    try {
      return await op({ http: transport.http, url: SSH_TRANSPORT_URL, headers: {} });
    } finally {
      transport.close();
    }
  }

  private http(target: GitTarget): HttpClient {
    const { ca, cert, key } = target.auth;
    return createGitHttpClient({
      ca,
      cert,
      key,
      ...(target.proxy === undefined ? {} : { proxy: target.proxy }),
      signal: target.signal,
      maxPackBytes: this.opts.maxPackBytes,
    });
  }

  /** Peeled refs under `prefix`: see git-remote.ts for HTTP; SSH lists on its own channel. */
  private async listRefs(target: GitTarget, prefix: string): Promise<ServerRef[]> {
    return this.withRemote(target, async (remote) =>
      target.auth.ssh === undefined
        ? (await this.protocols.listRefs({ ...remote, signal: target.signal }, prefix)).refs
        : git.listServerRefs({ ...remote, protocolVersion: 2, prefix, peelTags: true }),
    );
  }

  private async resolveInner(target: GitTarget, strategy: RefStrategy): Promise<ResolvedRef> {
    if (strategy.kind === "commit") {
      const fullRef = strategy.branch === undefined ? undefined : `refs/heads/${strategy.branch}`;
      return { commit: strategy.commit, fullRef, revision: formatRevision(strategy.branch, strategy.commit) };
    }
    if (strategy.kind === "semver") return this.resolveSemver(target, strategy.range);
    const fullRef = remoteRefFor(strategy)!;
    const refs = await this.listRefs(target, fullRef);
    const match = refs.find((r) => r.ref === fullRef);
    if (match === undefined) await this.throwMissing(target, fullRef);
    const commit = match!.peeled ?? match!.oid;
    const revision = formatRevision(revisionRefName(strategy), commit);
    return { commit, fullRef, revision, ...(match!.peeled ? { tagObject: match!.oid } : {}) };
  }

  private async resolveSemver(target: GitTarget, range: string): Promise<ResolvedRef> {
    const refs = await this.listRefs(target, "refs/tags/");
    if (refs.length === 0) await this.throwMissing(target, "refs/tags/");
    const tags = refs.map((r) => ({ tag: r.ref.slice("refs/tags/".length) }));
    let tag: string;
    try {
      tag = selectSemverTag(range, tags);
    } catch (err) {
      throw new GenericError(
        Reason.GitOperationFailed,
        `failed to checkout and determine revision: ${(err as Error).message}`,
        { cause: err },
      );
    }
    const ref = refs.find((r) => r.ref === `refs/tags/${tag}`)!;
    const commit = ref.peeled ?? ref.oid;
    const revision = formatRevision(tag, commit);
    return { commit, fullRef: ref.ref, revision, ...(ref.peeled ? { tagObject: ref.oid } : {}) };
  }

  /** Distinguishes an empty repository from a missing ref (both list nothing). */
  private async throwMissing(target: GitTarget, fullRef: string): Promise<never> {
    const any = await this.listRefs(target, "refs/");
    if (any.length === 0) {
      throw new GenericError(
        Reason.EmptyGitRepository,
        `unable to clone '${target.auth.url}': remote repository is empty`,
        { secrets: target.auth.secrets },
      );
    }
    const what = fullRef === "refs/tags/" ? "no tags found" : `couldn't find remote ref "${fullRef}"`;
    throw operationFailed(
      `failed to checkout and determine revision: unable to clone '${target.auth.url}': ${what}`,
    );
  }

  private cacheDir(cacheKey: string): string {
    return join(this.opts.cacheRoot, ...cacheKey.split("/").map((p) => encodeURIComponent(p)));
  }

  /** Creates (or resets, when the URL changed or packs piled up) the cache repository. */
  private async prepareCache(target: GitTarget): Promise<string> {
    const gitdir = this.cacheDir(target.cacheKey);
    const marker = join(gitdir, "mooring-url");
    const known = await readFile(marker, "utf8").catch(() => undefined);
    const packs = await readdir(join(gitdir, "objects", "pack")).catch(() => [] as string[]);
    if (known !== target.auth.url || packs.filter((p) => p.endsWith(".pack")).length > MAX_PACKS) {
      await rm(gitdir, { recursive: true, force: true });
      await mkdir(gitdir, { recursive: true });
      await git.init({ fs, gitdir, bare: true, defaultBranch: "main" });
      await git.addRemote({ fs, gitdir, remote: "origin", url: target.auth.url });
      await writeFile(marker, target.auth.url);
    }
    return gitdir;
  }

  /**
   * Fetches the resolved commit: with the streaming client (git-fetch.ts) unless the history is
   * wanted in full or the server lacks what it needs, else with isomorphic-git.
   */
  private async fetchInto(a: {
    target: GitTarget;
    resolved: ResolvedRef;
    gitdir: string;
    cache: object;
    full: boolean;
    shallow: boolean;
    have: readonly string[];
  }): Promise<void> {
    const { resolved, gitdir, full, shallow } = a;
    // The ref listing just spoke v2 with the server over HTTP: fetch with it, without a discovery.
    const info = a.target.auth.ssh === undefined ? this.protocols.v2Info(a.target.auth.url) : undefined;
    const v2 = info === undefined ? {} : { info };
    await this.withRemote(a.target, async (remote) => {
      if (!full) {
        const want = resolved.commit;
        const own = await withStore(gitdir, (store) =>
          fetchPack({
            ...remote,
            gitdir,
            want,
            haves: a.have,
            store,
            ...(shallow ? { depth: 1 } : {}),
            ...v2,
          }),
        );
        if (own !== "unsupported") return;
      }
      await git.fetch({
        fs,
        ...remote,
        gitdir,
        cache: a.cache,
        ref: LAST_REF,
        remoteRef: resolved.fullRef ?? "HEAD",
        singleBranch: resolved.fullRef !== undefined || !full,
        tags: false,
        ...(shallow ? { depth: 1 } : {}),
      });
    });
  }

  private async ensureCommit(a: {
    target: GitTarget;
    strategy: RefStrategy;
    resolved: ResolvedRef;
    gitdir: string;
    cache: object;
  }): Promise<boolean> {
    const { target, strategy, resolved, gitdir, cache } = a;
    if (await hasCommit(gitdir, resolved.commit)) return false;
    const full = strategy.kind === "commit";
    // With a previous commit in the cache, fetch without `deepen`: the server then honours our
    // `have` and sends only the new objects (with `deepen 1` git's v0 upload-pack resends the tree).
    const last = await git.resolveRef({ fs, gitdir, ref: LAST_REF }).catch(() => undefined);
    const incremental = last !== undefined;
    const fetch = (shallow: boolean, have: string[]): Promise<void> =>
      this.fetchInto({ target, resolved, gitdir, cache, full, shallow, have });
    try {
      await fetch(!full && !incremental, incremental ? [last] : []);
    } catch (err) {
      // An incremental fetch after a force-push to unrelated history would bring all of it:
      // start the cache over with a depth-1 fetch instead.
      if (!(err instanceof PackTooLargeError) || full || !incremental) throw err;
      await git.deleteRef({ fs, gitdir, ref: LAST_REF });
      await fetch(true, []);
    }
    await verifyFetched(gitdir, strategy, resolved, cache);
    await git.writeRef({ fs, gitdir, ref: LAST_REF, value: resolved.commit, force: true });
    return true;
  }
}

/** Runs `op` on a fresh object store of `gitdir` and closes it. */
async function withStore<T>(gitdir: string, op: (store: ObjectStore) => Promise<T>): Promise<T> {
  const store = await ObjectStore.open(gitdir);
  try {
    return await op(store);
  } finally {
    await store.close();
  }
}

async function hasCommit(gitdir: string, oid: string): Promise<boolean> {
  return withStore(gitdir, (store) => store.readAs(oid, "commit")).then(
    () => true,
    () => false,
  );
}

/** The commit arrived and, for a commit ref with a branch, is on that branch. */
async function verifyFetched(
  gitdir: string,
  strategy: RefStrategy,
  resolved: ResolvedRef,
  cache: object,
): Promise<void> {
  if (!(await hasCommit(gitdir, resolved.commit))) {
    throw operationFailed(
      `failed to checkout and determine revision: unable to resolve commit object for '${resolved.commit}': object not found`,
    );
  }
  if (strategy.kind === "commit" && resolved.fullRef !== undefined)
    await assertOnBranch(gitdir, resolved, cache);
}

async function assertOnBranch(gitdir: string, resolved: ResolvedRef, cache: object): Promise<void> {
  const head = await git.resolveRef({
    fs,
    gitdir,
    ref: `refs/remotes/origin/${resolved.fullRef!.slice("refs/heads/".length)}`,
  });
  if (head === resolved.commit) return;
  const onBranch = await git.isDescendent({
    fs,
    gitdir,
    oid: head,
    ancestor: resolved.commit,
    depth: -1,
    cache,
  });
  if (!onBranch)
    throw operationFailed(
      `failed to checkout and determine revision: commit '${resolved.commit}' is not on branch '${resolved.fullRef!}'`,
    );
}
