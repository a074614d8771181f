/**
 * Archives a commit straight from the git object cache, without writing a checkout to disk.
 *
 * It yields exactly what checkoutTree + archiveDirectory would: every tree as a directory
 * (root `.`), regular and executable files, no symlinks or submodules, names sorted bytewise per
 * directory as Go's walk sorts them, `.sourceignore` files read from the tree with the same
 * scoping, and ignored directories skipped with everything below them.
 */
import type { ArchiveEntry } from "./archive.js";
import type { ObjectStore } from "./git-objects.js";
import { parseCommit, parseTree } from "./git-tree.js";
import {
  buildIgnoreMatcher,
  parsePatterns,
  SOURCE_IGNORE_FILE,
  type IgnoreMatcher,
  type ScopedPatterns,
} from "./ignore.js";

const MODE_TREE = "040000";
const MODE_EXEC = "100755";
const MODE_FILE = "100644";

interface Node {
  readonly name: string;
  readonly oid: string;
  readonly kind: "tree" | "file" | "exec";
  children?: Node[];
}

/** Where to read objects from. */
export interface TreeSource {
  readonly store: ObjectStore;
  readonly signal?: AbortSignal;
}

const byBytes = (a: Node, b: Node): number => Buffer.compare(Buffer.from(a.name), Buffer.from(b.name));

function kindOf(mode: string): Node["kind"] | undefined {
  if (mode === MODE_TREE) return "tree";
  if (mode === MODE_EXEC) return "exec";
  if (mode === MODE_FILE) return "file";
  return undefined;
}

async function loadTree(src: TreeSource, oid: string, rel: string): Promise<Node[]> {
  src.signal?.throwIfAborted();
  const nodes: Node[] = [];
  for (const e of parseTree(await src.store.readAs(oid, "tree"), rel || ".")) {
    const kind = kindOf(e.mode);
    if (kind === undefined) continue;
    const node: Node = { name: e.name, oid: e.oid, kind };
    if (kind === "tree") node.children = await loadTree(src, e.oid, rel === "" ? e.name : `${rel}/${e.name}`);
    nodes.push(node);
  }
  return nodes.sort(byBytes);
}

async function blob(src: TreeSource, oid: string): Promise<Uint8Array> {
  src.signal?.throwIfAborted();
  return src.store.readAs(oid, "blob");
}

async function sourceIgnores(
  src: TreeSource,
  nodes: Node[],
  rel: string,
  out: ScopedPatterns[],
): Promise<void> {
  const file = nodes.find((n) => n.kind !== "tree" && n.name === SOURCE_IGNORE_FILE);
  if (file)
    out.push({
      domain: rel,
      patterns: parsePatterns(Buffer.from(await blob(src, file.oid)).toString("utf8")),
    });
  for (const n of nodes)
    if (n.children) await sourceIgnores(src, n.children, rel === "" ? n.name : `${rel}/${n.name}`, out);
}

async function* entries(
  src: TreeSource,
  nodes: Node[],
  rel: string,
  filter: IgnoreMatcher,
): AsyncGenerator<ArchiveEntry> {
  for (const n of nodes) {
    const name = rel === "" ? n.name : `${rel}/${n.name}`;
    if (filter.ignores(name, n.kind === "tree")) continue;
    if (n.children) {
      yield { name, type: "directory" };
      yield* entries(src, n.children, name, filter);
    } else {
      yield { name, type: "file", executable: n.kind === "exec", content: () => blob(src, n.oid) };
    }
  }
}

/** The archive entries of `commit` with Flux's ignore rules plus `specIgnore`. */
export async function commitEntries(
  src: TreeSource,
  commit: string,
  specIgnore: string | undefined,
): Promise<AsyncIterable<ArchiveEntry>> {
  const { tree } = parseCommit(await src.store.readAs(commit, "commit"));
  const root = await loadTree(src, tree, "");
  const scoped: ScopedPatterns[] = [];
  await sourceIgnores(src, root, "", scoped);
  if (specIgnore !== undefined) scoped.push({ domain: "", patterns: parsePatterns(specIgnore) });
  const filter = buildIgnoreMatcher(scoped);
  return (async function* (): AsyncGenerator<ArchiveEntry> {
    yield { name: ".", type: "directory" };
    yield* entries(src, root, "", filter);
  })();
}
