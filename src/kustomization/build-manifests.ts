/**
 * The build step of a Kustomization (flux-compat §3.4 step 5–6): read the `substituteFrom`
 * objects, then render (Flux's wrapper, the kustomize engine jailed to the artifact root, decode,
 * post-build substitution) on the given renderer, within `spec.timeout` and the input limits.
 * Every failure is a `BuildFailed` error whose message names the file, object or limit, so the
 * user can fix the repo.
 */
import { type Kustomization, kustomizationTimeout, Reason } from "../api/index.js";
import type { KubeObject } from "../apply/types.js";
import { type BuildLimits, UNLIMITED } from "../kustomize/index.js";
import { GenericError } from "../runtime/errors.js";
import type { FetchedSubstituteSource } from "../substitute/index.js";
import type { FetchedArtifact } from "./artifact-fetch.js";
import { type ManifestRenderer, renderInProcess } from "./render-pool.js";

export { decodeObject } from "./render-manifests.js";

/** Reads a `substituteFrom` object; undefined when it does not exist. */
export type ConfigDataReader = (
  kind: "ConfigMap" | "Secret",
  name: string,
) => Promise<Record<string, string> | undefined>;

/** What the build needs besides the extracted artifact. */
export interface BuildInput {
  readonly ks: Kustomization;
  readonly readConfig: ConfigDataReader;
  readonly strictSubstitution: boolean;
  /** Failures retry at this delay (`retryInterval`). */
  readonly retryAfterMs: number;
  /** Where the render runs; in process when unset (the CLI). */
  readonly renderer?: ManifestRenderer;
  /** Input limits; none when unset. */
  readonly limits?: BuildLimits;
  /** Stops the render (controller shutdown). */
  readonly signal?: AbortSignal;
}

async function fetchSubstituteSources(input: BuildInput): Promise<FetchedSubstituteSource[] | undefined> {
  if (input.ks.spec.postBuild === undefined) return undefined;
  const refs = input.ks.spec.postBuild.substituteFrom ?? [];
  const out: FetchedSubstituteSource[] = [];
  for (const ref of refs) out.push({ ref, data: await input.readConfig(ref.kind, ref.name) });
  return out;
}

const fail = (err: unknown, retryAfterMs: number): GenericError =>
  new GenericError(Reason.BuildFailed, err instanceof Error ? err.message : String(err), {
    cause: err,
    retryAfterMs,
  });

/**
 * Builds the Kustomization's path inside the extracted artifact and returns the objects to apply,
 * in kustomize's output order, substituted. Throws a `BuildFailed` {@link GenericError}.
 */
export async function buildManifests(fetched: FetchedArtifact, input: BuildInput): Promise<KubeObject[]> {
  const render = input.renderer ?? renderInProcess;
  try {
    const substituteFrom = await fetchSubstituteSources(input);
    return await render(
      {
        root: fetched.root,
        dir: fetched.dir,
        spec: input.ks.spec,
        substituteFrom,
        strictSubstitution: input.strictSubstitution,
        limits: input.limits ?? UNLIMITED,
      },
      {
        timeoutMs: kustomizationTimeout(input.ks.spec),
        ...(input.signal ? { signal: input.signal } : {}),
      },
    );
  } catch (err) {
    throw fail(err, input.retryAfterMs);
  }
}
