/**
 * Artifact revision strings as Flux writes and compares them (flux-compat §1.2).
 *
 * `main@sha1:<hash>`, `refs/pull/1/head@sha1:<hash>` or `sha1:<hash>`; the legacy `main/<hash>`
 * form is still understood when comparing, so an upgrade from old status never forces a rebuild.
 */

/** Hash algorithm prefix Flux uses: `sha1` for 40 hex chars, `<unknown>` otherwise. */
export function hashAlgorithm(hash: string): string {
  return /^[0-9a-f]{40}$/i.test(hash) ? "sha1" : "<unknown>";
}

/** `<ref>@<algo>:<hash>`, or `<algo>:<hash>` when no ref name applies (commit-only refs). */
export function formatRevision(refName: string | undefined, hash: string): string {
  const digest = `${hashAlgorithm(hash)}:${hash}`;
  return refName === undefined || refName === "" ? digest : `${refName}@${digest}`;
}

/** Rewrites a legacy `<ref>/<hash>` or bare `<hash>` revision into the current format. */
export function normalizeRevision(revision: string): string {
  if (revision.includes("@") || revision.includes(":")) return revision;
  const slash = revision.lastIndexOf("/");
  if (slash < 0) return formatRevision(undefined, revision);
  return formatRevision(revision.slice(0, slash), revision.slice(slash + 1));
}

/** True when two revisions name the same ref and commit, whatever format each is in. */
export function revisionsEqual(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined) return false;
  return normalizeRevision(a) === normalizeRevision(b);
}
