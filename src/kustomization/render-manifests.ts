/**
 * The CPU-heavy half of a Kustomization build (flux-compat §3.4 step 5–6), written to run on a
 * worker thread (issue 14): Flux's wrapper, the kustomize engine jailed to the artifact root and
 * bounded by the input limits, decoding into objects, post-build substitution, and the check that
 * each object fits the API server. Everything it needs arrives in one plain, cloneable request;
 * `substituteFrom` values are read from the cluster beforehand, on the main thread.
 */
import type { KustomizationSpec } from "../api/index.js";
import type { KubeObject } from "../apply/types.js";
import { build, type BuildLimits, formatBytes, render } from "../kustomize/index.js";
import { ErrorList } from "../runtime/errors.js";
import { substituteResources, type FetchedSubstituteSource } from "../substitute/index.js";
import { fromYamlText } from "../substitute/yaml-text.js";
import { formatObject, isJsonObject } from "../util/kube-object.js";
import { wrapKustomization } from "./flux-wrapper.js";

/** One build, as sent to a render thread. */
export interface RenderRequest {
  /** The extracted artifact (the build may not read outside it). */
  readonly root: string;
  /** `spec.path` inside it. */
  readonly dir: string;
  readonly spec: KustomizationSpec;
  /** `spec.postBuild.substituteFrom`, already fetched (undefined without postBuild). */
  readonly substituteFrom: readonly FetchedSubstituteSource[] | undefined;
  readonly strictSubstitution: boolean;
  readonly limits: BuildLimits;
}

/**
 * Largest object the API server stores: etcd refuses requests over 1.5 MiB (its default
 * `--max-request-bytes`), so a bigger object fails however it is sent.
 */
export const MAX_OBJECT_BYTES = 1.5 * 1024 * 1024;

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

/** Refuses objects the API server could not store, before anything is sent (issue 14). */
export function checkObjectSizes(objects: readonly KubeObject[], maxBytes = MAX_OBJECT_BYTES): void {
  const tooLarge: string[] = [];
  for (const obj of objects) {
    const size = Buffer.byteLength(JSON.stringify(obj));
    if (size > maxBytes) {
      tooLarge.push(
        `${formatObject(obj)} is ${formatBytes(size)}, over the ${formatBytes(maxBytes)} the API server ` +
          `stores per object: split it or keep large data out of the manifest`,
      );
    }
  }
  if (tooLarge.length > 0) throw new ErrorList(tooLarge);
}

/**
 * Steps run between the render's own, in process only (functions do not cross to a thread): SOPS
 * decryption of the sources after the wrapper, and of Secret data after decoding.
 */
export interface RenderHooks {
  readonly afterWrap?: () => Promise<void>;
  readonly afterDecode?: (objects: KubeObject[]) => Promise<void>;
}

/** Wraps, builds, decodes and substitutes; returns the objects to apply in kustomize's order. */
export async function renderManifests(
  request: RenderRequest,
  hooks: RenderHooks = {},
): Promise<KubeObject[]> {
  const { root, dir, spec, limits } = request;
  await wrapKustomization(root, dir, spec, limits);
  await hooks.afterWrap?.();
  const resources = await build(dir, { allowedRoot: root, limits });
  let objects = resources
    .map((r) => decodeObject(render([r])))
    .filter((o): o is KubeObject => o !== undefined);
  await hooks.afterDecode?.(objects);
  if (spec.postBuild !== undefined) {
    objects = substituteResources(
      objects,
      { ...spec.postBuild, substituteFrom: request.substituteFrom ?? [] },
      { strict: request.strictSubstitution },
    );
  }
  checkObjectSizes(objects);
  return objects;
}
