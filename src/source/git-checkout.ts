/**
 * Writes the tree of a commit from the object cache into a work directory.
 *
 * This replaces `git checkout`: no index, no symlinks (the artifact drops them anyway, and a
 * symlink from an untrusted repository must never be followed while archiving), no submodules,
 * and entry names that could escape the directory are refused.
 */
import * as fs from "node:fs";
import { chmod, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import git from "isomorphic-git";

const MODE_TREE = "040000";
const MODE_EXEC = "100755";
const MODE_FILE = "100644";

/** Options of {@link checkoutTree}. */
export interface CheckoutOptions {
  readonly gitdir: string;
  readonly commit: string;
  readonly dest: string;
  /** isomorphic-git object cache shared within one reconcile. */
  readonly cache: object;
  /** `spec.sparseCheckout`: only these directories (each must exist). */
  readonly sparse?: readonly string[];
  readonly signal?: AbortSignal;
}

interface FileJob {
  readonly oid: string;
  readonly path: string;
  readonly exec: boolean;
}

function safeName(name: string): boolean {
  return name !== "" && name !== "." && name !== ".." && name !== ".git" && !/[/\\\0]/.test(name);
}

async function collectTree(o: CheckoutOptions, treeOid: string, rel: string, jobs: FileJob[]): Promise<void> {
  const { tree } = await git.readTree({ fs, gitdir: o.gitdir, oid: treeOid, cache: o.cache });
  await mkdir(join(o.dest, rel), { recursive: true });
  for (const entry of tree) {
    if (!safeName(entry.path)) throw new Error(`refusing tree entry '${entry.path}' in '${rel || "."}'`);
    const path = rel === "" ? entry.path : `${rel}/${entry.path}`;
    if (entry.mode === MODE_TREE) await collectTree(o, entry.oid, path, jobs);
    else if (entry.mode === MODE_FILE || entry.mode === MODE_EXEC)
      jobs.push({ oid: entry.oid, path, exec: entry.mode === MODE_EXEC });
  }
}

async function writeJobs(o: CheckoutOptions, jobs: readonly FileJob[]): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < jobs.length) {
      o.signal?.throwIfAborted();
      const job = jobs[next++]!;
      const { blob } = await git.readBlob({ fs, gitdir: o.gitdir, oid: job.oid, cache: o.cache });
      const full = join(o.dest, job.path);
      await writeFile(full, blob);
      if (job.exec) await chmod(full, 0o755);
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}

/** Resolves the sparse directories to their tree oids, failing on any that do not exist. */
async function sparseRoots(o: CheckoutOptions, rootTree: string): Promise<{ oid: string; path: string }[]> {
  const roots: { oid: string; path: string }[] = [];
  for (const raw of o.sparse ?? []) {
    const path = raw.replace(/^\.\//, "").replace(/\/+$/, "");
    const found = await git
      .readTree({ fs, gitdir: o.gitdir, oid: rootTree, filepath: path, cache: o.cache })
      .catch(() => undefined);
    if (found === undefined) throw new Error(`sparse checkout dir '${path}' does not exist in the commit`);
    roots.push({ oid: found.oid, path });
  }
  return roots;
}

/** Checks out `commit` into `dest`; returns the commit's subject line (for the event). */
export async function checkoutTree(o: CheckoutOptions): Promise<string> {
  const { commit } = await git.readCommit({ fs, gitdir: o.gitdir, oid: o.commit, cache: o.cache });
  const jobs: FileJob[] = [];
  if (o.sparse !== undefined && o.sparse.length > 0) {
    for (const root of await sparseRoots(o, commit.tree)) await collectTree(o, root.oid, root.path, jobs);
  } else {
    await collectTree(o, commit.tree, "", jobs);
  }
  await writeJobs(o, jobs);
  return commit.message.split("\n")[0] ?? "";
}
