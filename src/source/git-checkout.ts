/**
 * Writes the tree of a commit from the object cache into a work directory.
 *
 * This replaces `git checkout`: no index, no symlinks (the artifact drops them anyway, and a
 * symlink from an untrusted repository must never be followed while archiving), no submodules,
 * and entry names that could escape the directory are refused (git-tree.ts).
 */
import { chmod, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { ObjectStore } from "./git-objects.js";
import { parseCommit, parseTree } from "./git-tree.js";

const MODE_TREE = "040000";
const MODE_EXEC = "100755";
const MODE_FILE = "100644";

/** Options of {@link checkoutTree}. */
export interface CheckoutOptions {
  readonly store: ObjectStore;
  readonly commit: string;
  readonly dest: string;
  /** `spec.sparseCheckout`: only these directories (each must exist). */
  readonly sparse?: readonly string[];
  readonly signal?: AbortSignal;
}

interface FileJob {
  readonly oid: string;
  readonly path: string;
  readonly exec: boolean;
}

async function collectTree(o: CheckoutOptions, treeOid: string, rel: string, jobs: FileJob[]): Promise<void> {
  const tree = parseTree(await o.store.readAs(treeOid, "tree"), rel || ".");
  await mkdir(join(o.dest, rel), { recursive: true });
  for (const entry of tree) {
    const path = rel === "" ? entry.name : `${rel}/${entry.name}`;
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
      const full = join(o.dest, job.path);
      await writeFile(full, await o.store.readAs(job.oid, "blob"));
      if (job.exec) await chmod(full, 0o755);
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}

/** The tree oid at `path` (`/`-separated) below `rootTree`, or undefined when there is none. */
async function subtree(store: ObjectStore, rootTree: string, path: string): Promise<string | undefined> {
  let oid = rootTree;
  if (path === "") return oid;
  for (const name of path.split("/")) {
    const entry = parseTree(await store.readAs(oid, "tree"), path).find((e) => e.name === name);
    if (entry?.mode !== MODE_TREE) return undefined;
    oid = entry.oid;
  }
  return oid;
}

/** Resolves the sparse directories to their tree oids, failing on any that do not exist. */
async function sparseRoots(o: CheckoutOptions, rootTree: string): Promise<{ oid: string; path: string }[]> {
  const roots: { oid: string; path: string }[] = [];
  for (const raw of o.sparse ?? []) {
    const path = raw.replace(/^\.\//, "").replace(/\/+$/, "");
    const found = await subtree(o.store, rootTree, path);
    if (found === undefined) throw new Error(`sparse checkout dir '${path}' does not exist in the commit`);
    roots.push({ oid: found, path });
  }
  return roots;
}

/** Checks out `commit` into `dest`; returns the commit's subject line (for the event). */
export async function checkoutTree(o: CheckoutOptions): Promise<string> {
  const commit = parseCommit(await o.store.readAs(o.commit, "commit"));
  const jobs: FileJob[] = [];
  if (o.sparse !== undefined && o.sparse.length > 0) {
    for (const root of await sparseRoots(o, commit.tree)) await collectTree(o, root.oid, root.path, jobs);
  } else {
    await collectTree(o, commit.tree, "", jobs);
  }
  await writeJobs(o, jobs);
  return commit.subject;
}
