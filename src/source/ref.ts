/**
 * Which commit a GitRepository's `spec.ref` asks for, and how it is named in the revision
 * (flux-compat §1.1): precedence commit > name > tag > semver > branch > `master`, as Flux's
 * code has it (its docs claim semver beats tag; the code checks tag first).
 */
import semver from "semver";
import type { GitRepositoryRef } from "../api/index.js";

/** The single strategy a ref resolves to. */
export type RefStrategy =
  | { readonly kind: "commit"; readonly commit: string; readonly branch?: string }
  | { readonly kind: "name"; readonly name: string }
  | { readonly kind: "tag"; readonly tag: string }
  | { readonly kind: "semver"; readonly range: string }
  | { readonly kind: "branch"; readonly branch: string };

/** Flux's default when no ref is given. */
export const DEFAULT_BRANCH = "master";

const set = (v: string | undefined): v is string => v !== undefined && v !== "";

/** Applies Flux's precedence to `spec.ref`. */
export function refStrategy(ref: GitRepositoryRef = {}): RefStrategy {
  const { commit, name, tag, semver: range, branch } = ref;
  if (set(commit)) return set(branch) ? { kind: "commit", commit, branch } : { kind: "commit", commit };
  if (set(name)) return { kind: "name", name };
  if (set(tag)) return { kind: "tag", tag };
  if (set(range)) return { kind: "semver", range };
  return { kind: "branch", branch: set(branch) ? branch : DEFAULT_BRANCH };
}

/** The full ref the no-op check and the fetch look up; undefined for semver and commit-only. */
export function remoteRefFor(strategy: RefStrategy): string | undefined {
  switch (strategy.kind) {
    case "branch":
      return `refs/heads/${strategy.branch}`;
    case "tag":
      return `refs/tags/${strategy.tag}`;
    case "name":
      return strategy.name;
    default:
      return undefined;
  }
}

/** A tag candidate for semver selection. */
export interface TagCandidate {
  readonly tag: string;
  /** Commit time in ms, to break ties between versions equal but for build metadata. */
  readonly commitTime?: number;
}

/** Parses a tag leniently (leading `v`, missing minor/patch) like Masterminds' `NewVersion`. */
export function parseTagVersion(tag: string): semver.SemVer | null {
  const m = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?([-+].*)?$/.exec(tag);
  if (!m) return null;
  const text = `${m[1]}.${m[2] ?? "0"}.${m[3] ?? "0"}${m[4] ?? ""}`;
  return semver.parse(text);
}

/** Masterminds ranges separate AND-ed constraints with commas; node-semver with spaces. */
function toRange(expr: string): semver.Range | null {
  try {
    return new semver.Range(expr.replace(/,/g, " "));
  } catch {
    return null;
  }
}

/** Thrown when the range is malformed or no tag satisfies it; message as Flux words it. */
export class SemverSelectionError extends Error {
  override readonly name = "SemverSelectionError";
}

function isNewer(a: { v: semver.SemVer; time: number }, b: { v: semver.SemVer; time: number }): boolean {
  const cmp = semver.compare(a.v, b.v);
  return cmp > 0 || (cmp === 0 && a.time > b.time);
}

/** Picks the highest tag in the range; among equal versions the newest commit wins. */
export function selectSemverTag(range: string, tags: readonly TagCandidate[]): string {
  const r = toRange(range);
  if (r === null) throw new SemverSelectionError(`semver parse error: invalid constraint '${range}'`);
  let best: { tag: string; v: semver.SemVer; time: number } | undefined;
  for (const t of tags) {
    const v = parseTagVersion(t.tag);
    if (v === null || !r.test(v)) continue;
    const candidate = { tag: t.tag, v, time: t.commitTime ?? 0 };
    if (best === undefined || isNewer(candidate, best)) best = candidate;
  }
  if (best === undefined) throw new SemverSelectionError(`no match found for semver: ${range}`);
  return best.tag;
}

/** The ref part of the revision string for a resolved strategy. */
export function revisionRefName(strategy: RefStrategy, selectedTag?: string): string | undefined {
  switch (strategy.kind) {
    case "branch":
      return strategy.branch;
    case "tag":
      return strategy.tag;
    case "semver":
      return selectedTag;
    case "name":
      return strategy.name;
    case "commit":
      return strategy.branch;
  }
}
