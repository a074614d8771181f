/**
 * Which files of a checkout go into the artifact: `.sourceignore` files, `spec.ignore`, and
 * Flux's VCS and default excludes (flux-compat §2.2).
 *
 * Each `.sourceignore` is scoped to its own directory, `spec.ignore` comes last so it can negate
 * earlier rules, and the default excludes vanish as soon as any user pattern exists.
 */
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import ignore, { type Ignore } from "ignore";

/** File name Flux reads ignore rules from, in any directory of the checkout. */
export const SOURCE_IGNORE_FILE = ".sourceignore";

/** Always excluded, user patterns or not. */
export const VCS_PATTERNS: readonly string[] = [".git/", ".gitignore", ".gitmodules", ".gitattributes"];

/** Excluded only when the user gave no pattern at all. */
export const DEFAULT_EXCLUDES: readonly string[] = [
  "*.jpg",
  "*.jpeg",
  "*.gif",
  "*.png",
  "*.wmv",
  "*.flv",
  "*.tar.gz",
  "*.zip",
  ".github/",
  ".circleci/",
  ".travis.yml",
  ".gitlab-ci.yml",
  "appveyor.yml",
  ".drone.yml",
  "cloudbuild.yaml",
  "codeship-services.yml",
  "codeship-steps.yml",
  "**/.goreleaser.yml",
  "**/.sops.yaml",
  "**/.flux.yaml",
];

/** Patterns from one source, applying below `domain` (a slash-separated dir, `""` for the root). */
export interface ScopedPatterns {
  readonly domain: string;
  readonly patterns: readonly string[];
}

/** Decides whether a path (relative to the checkout root, `/`-separated) is left out. */
export interface IgnoreMatcher {
  ignores(relPath: string, isDir: boolean): boolean;
}

/** Splits gitignore text into patterns, dropping blanks and comments. */
export function parsePatterns(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.replace(/\s+$/, ""))
    .filter((l) => l !== "" && !l.startsWith("#"));
}

interface Group {
  readonly domain: string;
  readonly ig: Ignore;
}

/**
 * Builds the matcher from user patterns in precedence order (later wins). With no user pattern the
 * default excludes apply; the VCS excludes always do.
 */
export function buildIgnoreMatcher(user: readonly ScopedPatterns[]): IgnoreMatcher {
  const scoped = user.filter((s) => s.patterns.length > 0);
  const base = scoped.length === 0 ? [...VCS_PATTERNS, ...DEFAULT_EXCLUDES] : VCS_PATTERNS;
  const groups: Group[] = [{ domain: "", ig: ignore().add([...base]) }];
  for (const s of scoped) groups.push({ domain: s.domain, ig: ignore().add([...s.patterns]) });
  return {
    ignores(relPath: string, isDir: boolean): boolean {
      for (let i = groups.length - 1; i >= 0; i--) {
        const g = groups[i]!;
        if (g.domain !== "" && !relPath.startsWith(`${g.domain}/`)) continue;
        const sub = g.domain === "" ? relPath : relPath.slice(g.domain.length + 1);
        const r = g.ig.test(isDir ? `${sub}/` : sub);
        if (r.ignored) return true;
        if (r.unignored) return false;
      }
      return false;
    },
  };
}

/** Reads every `.sourceignore` below `root` (not descending into `.git`), parents before children. */
export async function loadSourceIgnoreFiles(root: string): Promise<ScopedPatterns[]> {
  const found: ScopedPatterns[] = [];
  const visit = async (rel: string): Promise<void> => {
    const entries = await readdir(join(root, rel), { withFileTypes: true });
    entries.sort((a, b) => Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)));
    const file = entries.find((e) => e.isFile() && e.name === SOURCE_IGNORE_FILE);
    if (file) {
      const text = await readFile(join(root, rel, SOURCE_IGNORE_FILE), "utf8");
      found.push({ domain: rel, patterns: parsePatterns(text) });
    }
    for (const e of entries) {
      if (e.isDirectory() && e.name !== ".git") await visit(rel === "" ? e.name : `${rel}/${e.name}`);
    }
  };
  await visit("");
  return found;
}

/** The matcher for a checkout: its `.sourceignore` files, then `spec.ignore`. */
export async function loadIgnoreMatcher(
  root: string,
  specIgnore: string | undefined,
): Promise<IgnoreMatcher> {
  const scoped = await loadSourceIgnoreFiles(root);
  if (specIgnore !== undefined) scoped.push({ domain: "", patterns: parsePatterns(specIgnore) });
  return buildIgnoreMatcher(scoped);
}
