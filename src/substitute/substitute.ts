/**
 * Post-build variable substitution of a Kustomization's rendered resources (flux-compat §5).
 *
 * Runs per resource on its YAML text, then re-reads it, so types can change. A resource labelled
 * or annotated `kustomize.toolkit.fluxcd.io/substitute: disabled` is left alone. With strategy
 * `WithVariables` (the default) nothing happens when there are no variables at all, so even
 * `${x:=default}` stays literal; `Always` substitutes regardless.
 */
import { formatObject, isJsonObject, type KubeObject } from "../util/kube-object.js";
import { expand } from "./envsubst.js";
import {
  type FetchedSubstituteSource,
  mergeVariables,
  SubstituteVariablesError,
  validateVariableNames,
} from "./variables.js";
import { fromYamlText, toYamlText } from "./yaml-text.js";

/** `spec.postBuild.substituteStrategy`. */
export type SubstituteStrategy = "WithVariables" | "Always";

/** The label/annotation that opts a resource out of substitution. */
export const SUBSTITUTE_KEY = "kustomize.toolkit.fluxcd.io/substitute";

/** What the caller knows about `spec.postBuild`, with `substituteFrom` already fetched. */
export interface PostBuildInput {
  substitute?: Readonly<Record<string, string>>;
  substituteFrom?: readonly FetchedSubstituteSource[];
  substituteStrategy?: SubstituteStrategy;
}

/** Controller-level options. */
export interface SubstituteOptions {
  /** Undefined variables without a default fail the build (Flux's default). Defaults to true. */
  strict?: boolean;
}

/** Substitution failed for one object; the message names the object and the cause. */
export class SubstitutionError extends Error {
  override readonly name = "SubstitutionError";
}

/** True when the object opted out with label or annotation `...substitute: disabled` (exact). */
export function isSubstitutionDisabled(obj: KubeObject): boolean {
  return (
    obj.metadata.labels?.[SUBSTITUTE_KEY] === "disabled" ||
    obj.metadata.annotations?.[SUBSTITUTE_KEY] === "disabled"
  );
}

const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** Substitutes one resource with an already merged, validated variable map. */
export function substituteObject(
  obj: KubeObject,
  vars: ReadonlyMap<string, string>,
  strict: boolean,
): KubeObject {
  // Without `${` or `$$` anywhere the text pass is the identity; skip the costly YAML round trip.
  if (!/\$[{$]/.test(JSON.stringify(obj))) return obj;
  const where = `post build failed for '${formatObject(obj)}'`;
  let text: string;
  try {
    text = expand(toYamlText(obj), vars, strict);
  } catch (e) {
    throw new SubstitutionError(`${where}: variable substitution failed: ${messageOf(e)}`, { cause: e });
  }
  let parsed: unknown;
  try {
    parsed = fromYamlText(text);
  } catch (e) {
    // Only the first line: the parser appends an excerpt of the text, which may hold secret values.
    const reason = messageOf(e).split("\n")[0]?.replace(/:$/, "") ?? "";
    throw new SubstitutionError(`${where}: YAML parse after substitution failed: ${reason}`);
  }
  if (!isJsonObject(parsed) || !isJsonObject(parsed.metadata)) {
    throw new SubstitutionError(`${where}: substitution did not produce a Kubernetes object`);
  }
  return parsed as KubeObject;
}

/**
 * Applies `postBuild` to every resource, in order. Returns the input unchanged when `postBuild`
 * is undefined. Variables are merged only if some resource needs them, so a missing required
 * `substituteFrom` object fails the build only when there is something to substitute, as in Flux.
 * Throws {@link SubstitutionError} or {@link SubstituteVariablesError}.
 */
export function substituteResources(
  resources: readonly KubeObject[],
  postBuild: PostBuildInput | undefined,
  options: SubstituteOptions = {},
): KubeObject[] {
  if (postBuild === undefined) return [...resources];
  const strict = options.strict ?? true;
  const always = postBuild.substituteStrategy === "Always";
  let vars: Map<string, string> | undefined;
  return resources.map((obj) => {
    if (isSubstitutionDisabled(obj)) return obj;
    try {
      vars ??= mergeVariables(postBuild.substituteFrom ?? [], postBuild.substitute);
      if (vars.size === 0 && !always) return obj;
      validateVariableNames(vars);
    } catch (e) {
      if (!(e instanceof SubstituteVariablesError)) throw e;
      throw new SubstitutionError(`post build failed for '${formatObject(obj)}': ${e.message}`, { cause: e });
    }
    return substituteObject(obj, vars, strict);
  });
}
