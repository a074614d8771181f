/**
 * The build step of a Kustomization (flux-compat §3.4 step 5–6): Flux's wrapper, the kustomize
 * engine jailed to the artifact root, decode into objects, post-build substitution. Every failure
 * is a `BuildFailed` error whose message names the file or object, so the user can fix the repo.
 */
import { type Kustomization, Reason } from "../api/index.js";
import type { KubeObject } from "../apply/types.js";
import { build, render } from "../kustomize/index.js";
import { GenericError } from "../runtime/errors.js";
import { registerSecretValues } from "../runtime/secret-values.js";
import { substituteResources, type FetchedSubstituteSource } from "../substitute/index.js";
import { fromYamlText } from "../substitute/yaml-text.js";
import { isJsonObject } from "../util/kube-object.js";
import type { FetchedArtifact } from "./artifact-fetch.js";
import type { SopsDecryption } from "./decryption.js";
import { wrapKustomization } from "./flux-wrapper.js";

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
  /**
   * SOPS decryption for `spec.decryption` (keys loaded when called); unset: nothing is decrypted
   * (the CLI, or no `spec.decryption`).
   */
  readonly decryption?: () => Promise<SopsDecryption>;
}

const KUSTOMIZE_CONFIG_GROUP = "kustomize.config.k8s.io/";

/** Decodes rendered text into one object, checking the fields every object needs. */
export function decodeObject(text: string): KubeObject | undefined {
  const value: unknown = fromYamlText(text);
  if (!isJsonObject(value)) throw new Error("rendered document is not an object");
  const obj = value as KubeObject;
  if (typeof obj.apiVersion === "string" && obj.apiVersion.startsWith(KUSTOMIZE_CONFIG_GROUP))
    return undefined;
  const name: unknown = isJsonObject(obj.metadata) ? obj.metadata.name : undefined;
  if (typeof obj.apiVersion !== "string" || obj.apiVersion === "")
    throw new Error("object has no apiVersion");
  if (typeof obj.kind !== "string" || obj.kind === "") throw new Error("object has no kind");
  if (typeof name !== "string" || name === "") throw new Error(`${obj.kind} has no metadata.name`);
  return obj;
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
async function fetchSubstituteSources(input: BuildInput): Promise<FetchedSubstituteSource[]> {
  const refs = input.ks.spec.postBuild?.substituteFrom ?? [];
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

/** Decrypts the build's SOPS inputs in place (Flux: "error decrypting sources: …"). */
async function decryptSources(
  decryption: SopsDecryption | undefined,
  fetched: FetchedArtifact,
): Promise<void> {
  if (decryption === undefined) return;
  try {
    await decryption.sources(fetched.root, fetched.dir);
  } catch (err) {
    throw new Error(`error decrypting sources: ${err instanceof Error ? err.message : String(err)}`, {
      cause: err,
    });
  }
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
  let objects: KubeObject[];
  let decryption: SopsDecryption | undefined;
  try {
    await wrapKustomization(fetched.root, fetched.dir, input.ks.spec);
    decryption = await input.decryption?.();
    await decryptSources(decryption, fetched);
    const resources = await build(fetched.dir, { allowedRoot: fetched.root });
    objects = resources.map((r) => decodeObject(render([r]))).filter((o): o is KubeObject => o !== undefined);
    await decryption?.objects(objects);
  } catch (err) {
    throw fail(err, input.retryAfterMs);
  } finally {
    // Decrypted values are scrubbed from every message from now on, a failed build's included.
    if (decryption !== undefined) registerSecretValues(secretOwnerOf(input.ks), "sops", decryption.values);
  }
  const postBuild = input.ks.spec.postBuild;
  if (postBuild === undefined) return objects;
  try {
    const substituteFrom = await fetchSubstituteSources(input);
    return substituteResources(
      objects,
      { ...postBuild, substituteFrom },
      { strict: input.strictSubstitution },
    );
  } catch (err) {
    throw fail(err, input.retryAfterMs);
  }
}
