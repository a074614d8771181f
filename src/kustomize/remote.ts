/**
 * References kustomize would fetch from the network (remote bases and resources): URLs, go-getter
 * forms (`git::https://…`, `s3::…`), scp-like `git@host:org/repo` and host-first paths such as
 * `github.com/org/repo//dir?ref=v1`. mooring builds only what the source artifact holds, so each of
 * these is refused with one message rather than looked up as a local file.
 */

const HOST_FIRST = /^(github\.com|gitlab\.com|bitbucket\.org|ssh\.dev\.azure\.com|dev\.azure\.com)\//i;

/** Whether `ref` names something kustomize would download. */
export function isRemoteReference(ref: string): boolean {
  return (
    /^[a-z][a-z0-9+.-]*::/i.test(ref) || // go-getter forced getter: git::, s3::, hg::
    /^[a-z][a-z0-9+.-]*:\/\//i.test(ref) || // any URL scheme
    /^[\w.-]+@[\w.-]+:/.test(ref) || // scp-like: git@github.com:org/repo
    HOST_FIRST.test(ref)
  );
}

/** What to do instead, appended to the refusal. */
export const REMOTE_NOT_SUPPORTED =
  "is fetched from the network, which mooring does not do: copy the base into this repository, " +
  "or reconcile it from its own GitRepository and Kustomization";
