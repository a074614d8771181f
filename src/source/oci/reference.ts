/**
 * OCIRepository `spec.url` and `spec.ref` as Flux reads them: `oci://<registry>/<repository>`
 * (Docker Hub when the first segment is no host or is `docker.io`, whose API answers on
 * registry-1.docker.io; `library/` for one-segment Docker Hub names), no tag in
 * the URL, tags chosen by semver (with `semverFilter`) leniently parsed like Masterminds, and
 * revision strings `<tag>@sha256:<hex>` or, for a digest ref, `sha256:<hex>`.
 */
import { OCI_URL_PREFIX, Reason } from "../../api/index.js";
import { StallingError } from "../../runtime/errors.js";
import { SemverSelectionError, selectSemverTag } from "../ref.js";

/** Docker Hub, as image names without a registry mean it. */
export const DOCKER_HUB = "index.docker.io";
/** Where Docker Hub's registry API answers. */
const DOCKER_HUB_API = "registry-1.docker.io";
/** The short name users write for Docker Hub (`oci://docker.io/org/chart`): the same registry. */
const DOCKER_HUB_ALIAS = "docker.io";

/** A parsed `spec.url`. */
export interface OciRepositoryName {
  /** `host[:port]` as written (Docker Hub: `index.docker.io`), for credentials lookup. */
  readonly registry: string;
  /** `host[:port]` the API is called on. */
  readonly apiHost: string;
  /** Repository path, e.g. `org/app/manifests`. */
  readonly repository: string;
  /** Plain HTTP may be tried (loopback hosts and `insecure`, as go-containerregistry does). */
  readonly httpFallback: boolean;
}

const urlError = (url: string, problem: string): StallingError =>
  new StallingError(Reason.URLInvalid, `URL validation failed for '${url}': ${problem}`);

const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;

function looksLikeHost(segment: string): boolean {
  return segment.includes(".") || segment.includes(":") || segment === "localhost";
}

function isLoopback(host: string): boolean {
  const name = host.replace(/:\d+$/, "").replace(/^\[|\]$/g, "");
  return name === "localhost" || /^127\.\d+\.\d+\.\d+$/.test(name) || name === "::1";
}

/** `host/repo` (or a Docker Hub name) → registry and repository, Docker Hub's aliases folded. */
function splitName(rest: string): { registry: string; repository: string } {
  const slash = rest.indexOf("/");
  const first = slash < 0 ? rest : rest.slice(0, slash);
  const hasHost = slash >= 0 && looksLikeHost(first);
  const registry = !hasHost || first === DOCKER_HUB_ALIAS ? DOCKER_HUB : first;
  const repository = hasHost ? rest.slice(slash + 1) : rest;
  const official = registry === DOCKER_HUB && !repository.includes("/");
  return { registry, repository: official ? `library/${repository}` : repository };
}

/** Parses `spec.url`; throws a stalling URLInvalid error with Flux's wording when it is wrong. */
export function parseOciUrl(url: string, insecure: boolean): OciRepositoryName {
  if (!url.startsWith(OCI_URL_PREFIX))
    throw urlError(url, `URL must be in format 'oci://<domain>/<org>/<repo>'`);
  const { registry, repository } = splitName(url.slice(OCI_URL_PREFIX.length).replace(/\/+$/, ""));
  const tagAt = repository.lastIndexOf(":");
  if (tagAt >= 0) throw urlError(url, `URL must not contain a tag; remove ':${repository.slice(tagAt + 1)}'`);
  if (repository.includes("@")) throw urlError(url, "URL must not contain a digest; use spec.ref.digest");
  if (repository === "" || !repository.split("/").every((c) => COMPONENT.test(c)))
    throw urlError(url, `repository '${repository}' must be lowercase letters, digits and separators`);
  return {
    registry,
    apiHost: registry === DOCKER_HUB ? DOCKER_HUB_API : registry,
    repository,
    httpFallback: insecure || isLoopback(registry),
  };
}

/** `<tag>@<digest>`, or the digest alone when no tag was pulled (Flux's revision format). */
export function ociRevision(tag: string | undefined, digest: string): string {
  return tag === undefined ? digest : `${tag}@${digest}`;
}

/** The digest part of a revision (`latest@sha256:…` → `sha256:…`). */
export function digestOfRevision(revision: string): string {
  return revision.slice(revision.lastIndexOf("@") + 1);
}

/** A digest as Flux accepts in `spec.ref.digest`: `<algorithm>:<hex>`, sha256 checked for length. */
export function validDigest(digest: string): boolean {
  if (/^sha256:[a-f0-9]{64}$/.test(digest)) return true;
  return /^sha(384|512):[a-f0-9]+$/.test(digest);
}

/**
 * The highest tag within `range` among `tags`, after keeping only those matching `filter` (a
 * regular expression, unanchored like Go's MatchString). Errors are worded as Flux's.
 */
export function selectOciTag(range: string, filter: string | undefined, tags: readonly string[]): string {
  let candidates = tags;
  if (filter !== undefined && filter !== "") {
    let re: RegExp;
    try {
      re = new RegExp(filter);
    } catch (err) {
      throw new SemverSelectionError(`invalid semverFilter '${filter}': ${(err as Error).message}`);
    }
    candidates = tags.filter((t) => re.test(t));
  }
  return selectSemverTag(
    range,
    candidates.map((tag) => ({ tag })),
  );
}
