/**
 * The build step of a Kustomization (flux-compat §3.4 step 5–6): read the `substituteFrom`
 * objects, then render (Flux's wrapper, SOPS decryption, the kustomize engine jailed to the
 * artifact root, decode, post-build substitution) on the given renderer, within `spec.timeout` and
 * the input limits. Every failure is a `BuildFailed` error whose message names the file, object or
 * limit, so the user can fix the repo.
 */
import { type Kustomization, kustomizationTimeout, Reason } from "../api/index.js";
import type { KubeObject } from "../apply/types.js";
import { type BuildLimits, UNLIMITED } from "../kustomize/index.js";
import { GenericError } from "../runtime/errors.js";
import { registerSecretValues } from "../runtime/secret-values.js";
import type { FetchedSubstituteSource } from "../substitute/index.js";
import type { FetchedArtifact } from "./artifact-fetch.js";
import type { SopsDecryption } from "./decryption.js";
import { type RenderHooks, renderManifests, type RenderRequest } from "./render-manifests.js";
import { type ManifestRenderer, renderInProcess } from "./render-pool.js";
import { unsetVariableHint } from "./fix-hints.js";

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
  /**
   * SOPS decryption for `spec.decryption` (keys loaded when called); unset: nothing is decrypted
   * (the CLI, or no `spec.decryption`).
   */
  readonly decryption?: () => Promise<SopsDecryption>;
}

/** The owner key under which a Kustomization's secret values are registered for scrubbing. */
export function secretOwnerOf(ks: Kustomization): string {
  return `Kustomization/${ks.metadata.namespace ?? ""}/${ks.metadata.name ?? ""}`;
}

/**
 * Reads the `substituteFrom` objects. The decoded values of Secrets are registered for scrubbing
 * before anything can fail with them in a message (issue 14: an API server rejecting a substituted
 * label echoes the value).
 */
async function fetchSubstituteSources(input: BuildInput): Promise<FetchedSubstituteSource[] | undefined> {
  if (input.ks.spec.postBuild === undefined) return undefined;
  const refs = input.ks.spec.postBuild.substituteFrom ?? [];
  const out: FetchedSubstituteSource[] = [];
  const secrets: string[] = [];
  for (const ref of refs) {
    const data = await input.readConfig(ref.kind, ref.name);
    if (ref.kind === "Secret" && data !== undefined) {
      secrets.push(...Object.values(data).map((v) => Buffer.from(v, "base64").toString("utf8")));
    }
    out.push({ ref, data });
  }
  registerSecretValues(secretOwnerOf(input.ks), "substituteFrom", secrets);
  return out;
}

/** Flux's wording for a decryption failure: "error decrypting sources: …". */
async function decryptSources(decryption: SopsDecryption, root: string, dir: string): Promise<void> {
  try {
    await decryption.sources(root, dir);
  } catch (err) {
    throw new Error(`error decrypting sources: ${err instanceof Error ? err.message : String(err)}`, {
      cause: err,
    });
  }
}

/**
 * Renders with SOPS decryption between the steps. The keys are live objects of this thread, so
 * this render runs in process: the input limits and the alias budget hold, the thread's heap and
 * time limits do not. Decrypted values are registered for scrubbing, a failed build's included.
 */
async function renderDecrypted(
  request: RenderRequest,
  ks: Kustomization,
  decryption: () => Promise<SopsDecryption>,
): Promise<KubeObject[]> {
  const sops = await decryption();
  const hooks: RenderHooks = {
    afterWrap: () => decryptSources(sops, request.root, request.dir),
    afterDecode: (objects) => sops.objects(objects),
  };
  try {
    return await renderManifests(request, hooks);
  } finally {
    registerSecretValues(secretOwnerOf(ks), "sops", sops.values);
  }
}

/** `BuildFailed`; an unset substitution variable gets its fix appended (issue 20). */
function fail(err: unknown, retryAfterMs: number): GenericError {
  const text = err instanceof Error ? err.message : String(err);
  const hint = unsetVariableHint(text);
  return new GenericError(Reason.BuildFailed, hint === undefined ? text : `${text}; fix: ${hint}`, {
    cause: err,
    retryAfterMs,
  });
}

/**
 * Builds the Kustomization's path inside the extracted artifact and returns the objects to apply,
 * in kustomize's output order, substituted. Throws a `BuildFailed` {@link GenericError}.
 */
export async function buildManifests(fetched: FetchedArtifact, input: BuildInput): Promise<KubeObject[]> {
  const render = input.renderer ?? renderInProcess;
  try {
    const substituteFrom = await fetchSubstituteSources(input);
    const request: RenderRequest = {
      root: fetched.root,
      dir: fetched.dir,
      spec: input.ks.spec,
      substituteFrom,
      strictSubstitution: input.strictSubstitution,
      limits: input.limits ?? UNLIMITED,
    };
    if (input.decryption !== undefined) return await renderDecrypted(request, input.ks, input.decryption);
    return await render(request, {
      timeoutMs: kustomizationTimeout(input.ks.spec),
      ...(input.signal ? { signal: input.signal } : {}),
    });
  } catch (err) {
    throw fail(err, input.retryAfterMs);
  }
}
