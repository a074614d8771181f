/**
 * Parsing of tree and commit objects, with the entry-name checks git's `verify_path` applies:
 * nothing that could name a parent directory, a path separator or a `.git` directory (including
 * the spellings NTFS and HFS+ fold onto `.git`) ever becomes a path.
 */

/** One tree entry. */
export interface TreeEntry {
  /** The mode as git writes it, directories normalised to `040000`. */
  readonly mode: string;
  readonly name: string;
  readonly oid: string;
}

const KNOWN_MODES = new Set(["040000", "100644", "100755", "120000", "160000"]);
const HFS_IGNORABLE = /[\u200C-\u200F\u202A-\u202E\u206A-\u206F\uFEFF]/g;

/** True when `name` may be a path component of a checkout or an artifact. */
export function safeEntryName(name: string): boolean {
  if (name === "" || /[/\\\0]/.test(name)) return false;
  const hfs = name.replace(HFS_IGNORABLE, "");
  if (hfs === "." || hfs === "..") return false;
  const folded = (hfs.split(":")[0] ?? "").toLowerCase().replace(/[. ]+$/, "");
  return folded !== ".git" && !/^\.?git~[1-9]$/.test(folded);
}

/** Parses a tree object; throws on an unsafe name or a mode git does not write. */
export function parseTree(data: Buffer, where: string): TreeEntry[] {
  const entries: TreeEntry[] = [];
  let at = 0;
  while (at < data.length) {
    const space = data.indexOf(0x20, at);
    const nul = space < 0 ? -1 : data.indexOf(0, space);
    if (space < 0 || nul < 0 || nul + 21 > data.length) throw new Error(`corrupt tree object in '${where}'`);
    const raw = data.subarray(at, space).toString("latin1");
    const mode = raw === "40000" ? "040000" : raw;
    const name = data.subarray(space + 1, nul).toString("utf8");
    if (!KNOWN_MODES.has(mode))
      throw new Error(`unexpected mode ${raw} of tree entry '${name}' in '${where}'`);
    if (!safeEntryName(name)) throw new Error(`refusing tree entry '${name}' in '${where}'`);
    entries.push({ mode, name, oid: data.subarray(nul + 1, nul + 21).toString("hex") });
    at = nul + 21;
  }
  return entries;
}

/** The tree oid and subject line of a commit object. */
export function parseCommit(data: Buffer): { tree: string; subject: string } {
  const text = data.toString("utf8");
  const tree = /^tree ([0-9a-f]{40})\n/.exec(text)?.[1];
  if (tree === undefined) throw new Error("corrupt commit object: no tree");
  const body = text.indexOf("\n\n");
  return { tree, subject: body < 0 ? "" : (text.slice(body + 2).split("\n")[0] ?? "") };
}
