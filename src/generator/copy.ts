/**
 * An ArtifactGenerator output's copy operations, with source-watcher's `cp`-like semantics:
 *
 * - `from` without glob characters names one file or directory: a file goes to `to` (or into it
 *   when `to` ends with `/` or is an existing directory), a directory is copied as a
 *   subdirectory of `to` (`@src/dir/` → `to/dir/…`; `@src/` → the whole source into `to`).
 * - `from` with a glob selects entries with Go's `fs.Glob` (`**` is `*`): each match keeps its
 *   path under `to`, except that `dir/**` strips `dir/`; a matched directory is copied whole.
 *   No match is an error, and so is everything matched being excluded.
 * - `exclude` globs (doublestar) apply to paths relative to the source root and to the literal
 *   prefix of `from`; a pattern without `/` matches the file name at any depth.
 * - `strategy: Merge` deep-merges a YAML file into an existing destination (maps merge, lists and
 *   scalars are replaced, as Helm merges values files); `Extract` unpacks `.tar.gz`/`.tgz`
 *   archives into `to` (with a glob, other files are skipped; a directory is refused).
 *
 * Every path stays inside its root: a `..` that would climb out fails the operation.
 */
import { copyFile, mkdir, readdir, stat } from "node:fs/promises";
import { posix } from "node:path";
import { type CopyOperation, CopyStrategy } from "../api/index.js";
import { extractTarGz } from "../util/safe-extract.js";
import { doublestarGlob, doublestarMatch, fsGlob, hasGlobChars, validateDoublestar } from "./glob.js";
import { mergeYamlFile } from "./merge.js";

/** A copy operation that cannot be carried out; the message says why. */
export class CopyError extends Error {
  override readonly name = "CopyError";
}

/** What the operations run against. */
export interface CopyContext {
  /** Extracted source artifacts by alias. */
  readonly sources: ReadonlyMap<string, string>;
  /** The output's staging directory. */
  readonly staging: string;
  /** Cap on the unpacked size of each archive the Extract strategy opens. */
  readonly maxExtractBytes: number;
}

/** One parsed operation. */
interface Op {
  readonly op: CopyOperation;
  readonly ctx: CopyContext;
  readonly srcRoot: string;
  readonly pattern: string;
  readonly dest: string;
  readonly destIsDir: boolean;
}

/** Go's `filepath.Clean` on a relative path, refusing one that climbs out of its root. */
export function cleanRelative(p: string, what: string): string {
  const clean = posix.normalize(p === "" ? "." : p).replace(/\/+$/, "") || ".";
  if (clean === ".." || clean.startsWith("../") || clean.startsWith("/")) {
    throw new CopyError(`${what} '${p}' is outside its root`);
  }
  return clean;
}

const join = (a: string, b: string): string => (a === "." ? b : b === "." ? a : `${a}/${b}`);
const abs = (root: string, rel: string): string => (rel === "." ? root : `${root}/${rel}`);

/** Runs `ops` in order; the first failure stops them, naming the operation. */
export async function applyCopyOperations(ops: readonly CopyOperation[], ctx: CopyContext): Promise<void> {
  for (const op of ops) {
    try {
      await applyOne(parse(op, ctx), ctx);
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      throw new CopyError(`failed to apply copy operation from '${op.from}' to '${op.to}': ${why}`, {
        cause: err,
      });
    }
  }
}

function parse(op: CopyOperation, ctx: CopyContext): Op {
  const from = /^@([^/]+)\/(.*)$/.exec(op.from);
  if (from === null) throw new CopyError(`invalid copy source '${op.from}': format must be '@alias/pattern'`);
  if (!op.to.startsWith("@artifact/")) {
    throw new CopyError(`invalid copy destination '${op.to}': destination must start with '@artifact/'`);
  }
  const [, alias = "", pattern = ""] = from;
  const srcRoot = ctx.sources.get(alias);
  if (srcRoot === undefined) throw new CopyError(`source alias '${alias}' not found`);
  for (const p of op.exclude ?? []) validateDoublestar(p);
  const dest = cleanRelative(op.to.slice("@artifact/".length), "destination");
  cleanRelative(pattern, "source path");
  return { op, ctx, srcRoot, pattern, dest, destIsDir: op.to.endsWith("/") };
}

async function applyOne(o: Op, ctx: CopyContext): Promise<void> {
  if (!hasGlobChars(o.pattern)) return copySingle(o, ctx);
  const extract = o.op.strategy === CopyStrategy.Extract;
  const matches = extract ? await doublestarGlob(o.srcRoot, o.pattern) : await fsGlob(o.srcRoot, o.pattern);
  const alias = o.op.from.slice(1, o.op.from.indexOf("/"));
  if (matches.length === 0) throw new CopyError(`no files match pattern '${o.pattern}' in source '${alias}'`);
  const base = selectionRoot(o.pattern);
  const kept = matches.filter((m) => m !== "." && m !== ".." && !excluded(m, base, o.op.exclude));
  if (kept.length === 0) {
    throw new CopyError(`all files matching pattern '${o.pattern}' in source '${alias}' were excluded`);
  }
  for (const match of kept) {
    if (extract) {
      if (isTarball(match)) await extractInto(o, match, ctx);
      continue;
    }
    await copyPath(o, match, globDestination(o.pattern, match, o.dest), base);
  }
}

async function copySingle(o: Op, ctx: CopyContext): Promise<void> {
  const src = cleanRelative(o.pattern, "source path");
  const info = await stat(abs(o.srcRoot, src)).catch(() => undefined);
  if (info === undefined) throw new CopyError(`source '${src}' does not exist`);
  if (info.isDirectory()) {
    if (o.op.strategy === CopyStrategy.Extract) {
      throw new CopyError(`extract strategy is not supported for directories, got '${src}'`);
    }
    return copyPath(o, src, join(o.dest, posix.basename(src)), src);
  }
  if (excluded(src, ".", o.op.exclude)) return;
  if (o.op.strategy === CopyStrategy.Extract) {
    if (!isTarball(src)) {
      throw new CopyError(`extract strategy requires tarball file (.tar.gz or .tgz), got '${src}'`);
    }
    return extractInto(o, src, ctx);
  }
  const destIsDir =
    o.destIsDir || (await stat(abs(ctx.staging, o.dest)).catch(() => undefined))?.isDirectory();
  return copyPath(o, src, destIsDir === true ? join(o.dest, posix.basename(src)) : o.dest, ".");
}

/** Copies a file (merging under Merge) or a whole directory from the source to the staging dir. */
async function copyPath(o: Op, src: string, dest: string, base: string): Promise<void> {
  const { ctx } = o;
  const from = abs(o.srcRoot, src);
  const to = abs(ctx.staging, dest);
  if ((await stat(from)).isDirectory()) return copyDir(o, src, dest, base);
  if (o.op.strategy === CopyStrategy.Merge && (await stat(to).catch(() => undefined)) !== undefined) {
    return mergeYamlFile(from, to);
  }
  await mkdir(posix.dirname(to), { recursive: true });
  await copyFile(from, to);
}

async function copyDir(o: Op, src: string, dest: string, base: string): Promise<void> {
  const { ctx } = o;
  await mkdir(abs(ctx.staging, dest), { recursive: true });
  const names = (await readdir(abs(o.srcRoot, src))).sort();
  for (const name of names) {
    const child = join(src, name);
    if (excluded(child, base, o.op.exclude)) continue;
    const target = join(dest, name);
    if ((await stat(abs(o.srcRoot, child))).isDirectory()) await copyDir(o, child, target, base);
    else {
      await mkdir(posix.dirname(abs(ctx.staging, target)), { recursive: true });
      await copyFile(abs(o.srcRoot, child), abs(ctx.staging, target));
    }
  }
}

async function extractInto(o: Op, src: string, ctx: CopyContext): Promise<void> {
  const to = abs(ctx.staging, o.dest);
  await mkdir(to, { recursive: true });
  await extractTarGz(abs(o.srcRoot, src), to, ctx.maxExtractBytes).catch((err: unknown) => {
    const why = err instanceof Error ? err.message : String(err);
    throw new CopyError(`failed to extract tarball '${src}' to '${o.dest}': ${why}`, { cause: err });
  });
}

/** `.tar.gz` or `.tgz`, in any case. */
export function isTarball(path: string): boolean {
  const lower = path.toLowerCase();
  return lower.endsWith(".tar.gz") || lower.endsWith(".tgz");
}

/** Where a glob match goes: `dir/**` strips `dir/`; other patterns keep the whole match path. */
export function globDestination(pattern: string, match: string, dest: string): string {
  if (pattern.endsWith("/**")) {
    const prefix = pattern.slice(0, -3);
    if (match.startsWith(`${prefix}/`)) return join(dest, match.slice(prefix.length + 1));
  }
  return join(dest, match);
}

/** The literal directory prefix of a pattern, before its first glob segment ("." for none). */
export function selectionRoot(pattern: string): string {
  const parts: string[] = [];
  for (const part of cleanRelative(pattern, "source path").split("/")) {
    if (hasGlobChars(part)) break;
    parts.push(part);
  }
  return parts.length === 0 ? "." : parts.join("/");
}

/** Whether a source path is excluded, relative to the source root or to the selection root. */
export function excluded(path: string, base: string, patterns: readonly string[] | undefined): boolean {
  if (patterns === undefined || patterns.length === 0) return false;
  if (matchesAny(path, patterns)) return true;
  if (base === "." || base === "") return false;
  if (!path.startsWith(`${base}/`)) return false;
  return matchesAny(path.slice(base.length + 1), patterns);
}

function matchesAny(path: string, patterns: readonly string[]): boolean {
  const name = posix.basename(path);
  return patterns.some((p) => doublestarMatch(p, path) || (!p.includes("/") && doublestarMatch(p, name)));
}
