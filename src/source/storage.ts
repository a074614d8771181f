/**
 * The artifact store on disk (flux-compat §2.1, §2.3): layout `<kind>/<ns>/<name>/<file>` under a
 * root, URLs from the advertised address, per-artifact lock files, digest checks and garbage
 * collection that keeps the newest N and honours a TTL but never touches the current artifact.
 */
import { randomBytes } from "node:crypto";
import { chmod, copyFile, lstat, mkdir, open, readdir, rename, rm, stat } from "node:fs/promises";
import { basename, dirname, join, relative, resolve, sep } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { archiveDirectory, digestFile } from "./archive.js";
import type { IgnoreMatcher } from "./ignore.js";

/** Options of {@link ArtifactStorage}. */
export interface StorageOptions {
  /** Directory holding all artifacts (`--storage-path`). */
  readonly root: string;
  /** Host (and port) put into artifact URLs (`--storage-adv-addr`); may carry a scheme. */
  readonly advertisedAddress: string;
  /** `--artifact-retention-records` (default 2). */
  readonly retentionRecords?: number;
  /** `--artifact-retention-ttl` in ms (default 60 s). */
  readonly retentionTtlMs?: number;
  /** Injected clock for GC tests. */
  readonly now?: () => number;
}

/** A storage path that would leave the root. */
export class IllegalPathError extends Error {
  override readonly name = "IllegalPathError";
}

/** Derives the advertised address from `--storage-addr` as Flux does when none is given. */
export function defaultAdvertisedAddress(storageAddr: string, hostname: string): string {
  const colon = storageAddr.lastIndexOf(":");
  const host = colon < 0 ? storageAddr : storageAddr.slice(0, colon);
  const port = colon < 0 ? "" : storageAddr.slice(colon);
  if (host === "") return `localhost${port}`;
  if (host === "0.0.0.0") return `${hostname}${port}`;
  return storageAddr;
}

const LOCK_STALE_MS = 5 * 60_000;

/** The artifact store. */
export class ArtifactStorage {
  readonly root: string;
  private readonly opts: StorageOptions;
  /** Digests of files already hashed, by absolute path, with the stat they were taken at. */
  private readonly verified = new Map<string, { id: string; digest: string }>();

  constructor(opts: StorageOptions) {
    this.opts = opts;
    this.root = resolve(opts.root);
  }

  /** Relative artifact path, e.g. `gitrepository/default/podinfo/<sha>.tar.gz`. */
  artifactPath(kind: string, namespace: string, name: string, file: string): string {
    return [kind.toLowerCase(), namespace, name, file].join("/");
  }

  /** Absolute path for a relative artifact path, refusing anything that escapes the root. */
  localPath(relPath: string): string {
    const full = resolve(this.root, relPath);
    const rel = relative(this.root, full);
    if (rel === "" || rel.startsWith("..") || rel.split(sep).includes("..")) {
      throw new IllegalPathError(`path '${relPath}' is outside the storage root`);
    }
    return full;
  }

  /** Public URL of an artifact path. */
  url(relPath: string): string {
    const adv = this.opts.advertisedAddress.replace(/\/+$/, "");
    const base = /^[a-z][a-z0-9+.-]*:\/\//i.test(adv) ? adv : `http://${adv}`;
    return `${base}/${relPath}`;
  }

  /** Creates the directory of an artifact path. */
  async ensureDir(relDir: string): Promise<void> {
    await mkdir(this.localPath(relDir), { recursive: true });
  }

  /** True when the artifact file exists as a regular file. */
  async exists(relPath: string): Promise<boolean> {
    const s = await lstat(this.localPath(relPath)).catch(() => undefined);
    return s?.isFile() === true;
  }

  /**
   * True when the stored file's digest equals `digest`. A file whose inode, size and mtime are
   * those of its last check is not hashed again: every no-op reconcile verifies the artifact,
   * and hashing tens of megabytes each time was most of a no-op's cost. Artifacts are written to
   * a temporary name and renamed, so a new artifact is a new inode.
   */
  async verify(relPath: string, digest: string | undefined): Promise<boolean> {
    if (digest === undefined) return false;
    const path = this.localPath(relPath);
    const s = await stat(path).catch(() => undefined);
    if (s === undefined) return false;
    const id = `${s.dev}:${s.ino}:${s.size}:${s.mtimeMs}`;
    const known = this.verified.get(path);
    if (known?.id === id) return known.digest === digest;
    const actual = await digestFile(path);
    this.verified.set(path, { id, digest: actual });
    return actual === digest;
  }

  /** Archives `dir` as the artifact `relPath`; returns the digest and size. */
  async archive(
    dir: string,
    relPath: string,
    filter?: IgnoreMatcher,
  ): Promise<{ digest: string; size: number }> {
    return archiveDirectory(dir, this.localPath(relPath), filter);
  }

  /**
   * Stores the file at `source` as the artifact `relPath` as it is (OCIRepository
   * `layerSelector.operation: copy`): copied beside its destination, then renamed.
   */
  async storeFile(source: string, relPath: string): Promise<{ digest: string; size: number }> {
    const dest = this.localPath(relPath);
    const tmp = join(dirname(dest), `.${basename(dest)}.${randomBytes(6).toString("hex")}.tmp`);
    try {
      await copyFile(source, tmp);
      await chmod(tmp, 0o600);
      const digest = await digestFile(tmp);
      const { size } = await stat(tmp);
      await rename(tmp, dest);
      return { digest, size };
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
  }

  /** Takes `<artifact>.lock`; the returned function releases it. Stale locks are broken. */
  async lock(relPath: string, timeoutMs = 10_000): Promise<() => Promise<void>> {
    const lockPath = `${this.localPath(relPath)}.lock`;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        const fh = await open(lockPath, "wx");
        await fh.close();
        return () => rm(lockPath, { force: true });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
        const s = await stat(lockPath).catch(() => undefined);
        if (s !== undefined && Date.now() - s.mtimeMs > LOCK_STALE_MS) await rm(lockPath, { force: true });
        else if (Date.now() > deadline)
          throw new Error(`timed out waiting for lock on '${relPath}'`, { cause: err });
        else await sleep(50);
      }
    }
  }

  /**
   * Deletes old artifacts in the directory of `current`: all older than the TTL, then oldest first
   * until at most `retentionRecords` remain. Returns the deleted relative paths.
   */
  async garbageCollect(current: string): Promise<string[]> {
    const dir = current.slice(0, current.lastIndexOf("/"));
    const files = await this.listArtifacts(dir);
    const now = (this.opts.now ?? Date.now)();
    const ttl = this.opts.retentionTtlMs ?? 60_000;
    const records = this.opts.retentionRecords ?? 2;
    const candidates = files.filter((f) => f.path !== current).sort((a, b) => a.mtime - b.mtime);
    const garbage = new Set(candidates.filter((f) => now - f.mtime > ttl).map((f) => f.path));
    for (const f of candidates) {
      if (files.length - garbage.size <= records) break;
      garbage.add(f.path);
    }
    for (const path of garbage) {
      this.verified.delete(this.localPath(path));
      await rm(this.localPath(path), { force: true });
      await rm(`${this.localPath(path)}.lock`, { force: true });
    }
    return [...garbage];
  }

  /** Removes one artifact file (e.g. after a failed integrity check). */
  async removeFile(relPath: string): Promise<void> {
    this.verified.delete(this.localPath(relPath));
    await rm(this.localPath(relPath), { force: true });
  }

  /** Removes everything stored for one object (on deletion). */
  async removeAll(kind: string, namespace: string, name: string): Promise<void> {
    const dir = this.localPath([kind.toLowerCase(), namespace, name].join("/"));
    for (const path of this.verified.keys()) if (path.startsWith(dir + sep)) this.verified.delete(path);
    await rm(dir, {
      recursive: true,
      force: true,
    });
  }

  private async listArtifacts(relDir: string): Promise<{ path: string; mtime: number }[]> {
    const abs = this.localPath(relDir);
    const names = await readdir(abs).catch(() => [] as string[]);
    const out: { path: string; mtime: number }[] = [];
    for (const name of names.slice(0, 1000)) {
      if (name.endsWith(".lock") || name.endsWith(".tmp")) continue;
      const s = await lstat(join(abs, name)).catch(() => undefined);
      if (s?.isFile() === true) out.push({ path: `${relDir}/${name}`, mtime: s.mtimeMs });
    }
    return out;
  }
}
