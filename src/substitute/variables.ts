/**
 * The variable map of a Kustomization's `postBuild`: `substituteFrom` ConfigMaps and Secrets in
 * list order (later keys win), then inline `substitute` (wins over all), newlines stripped from
 * every value, names checked against Flux's rule.
 *
 * The objects are fetched by the caller (from the Kustomization's namespace); this module only
 * merges what was read, so it stays testable without a cluster.
 */

/** One `spec.postBuild.substituteFrom` entry. */
export interface SubstituteReference {
  kind: "ConfigMap" | "Secret";
  name: string;
  /** A missing object is skipped instead of failing the build. */
  optional?: boolean;
}

/** A `substituteFrom` entry with what the caller read for it. */
export interface FetchedSubstituteSource {
  ref: SubstituteReference;
  /**
   * `data` of the object as the API returns it: ConfigMap values as text, Secret values
   * base64-encoded. `undefined` means the object was not found.
   */
  data: Readonly<Record<string, string>> | undefined;
}

/** A required `substituteFrom` object is missing, or a variable name is invalid. */
export class SubstituteVariablesError extends Error {
  override readonly name = "SubstituteVariablesError";
}

/** Flux's variable name rule (`^[_[:alpha:]][_[:alpha:][:digit:]]*$`, ASCII classes). */
export const VARIABLE_NAME_PATTERN = /^[_a-zA-Z][_a-zA-Z0-9]*$/;

const stripNewlines = (v: string): string => v.replaceAll("\n", "");

function sourceValues(source: FetchedSubstituteSource): Array<[string, string]> {
  const { ref, data } = source;
  if (data === undefined) {
    if (ref.optional === true) return [];
    const resource = ref.kind === "Secret" ? "secrets" : "configmaps";
    throw new SubstituteVariablesError(
      `substitute from '${ref.kind}/${ref.name}' error: ${resource} "${ref.name}" not found`,
    );
  }
  const decode =
    ref.kind === "Secret" ? (v: string) => Buffer.from(v, "base64").toString("utf8") : (v: string) => v;
  return Object.entries(data).map(([k, v]) => [k, stripNewlines(decode(v))]);
}

/**
 * Merges `substituteFrom` sources (in order) and inline `substitute` values into one map.
 * Throws {@link SubstituteVariablesError} naming the first required source that is missing.
 */
export function mergeVariables(
  sources: readonly FetchedSubstituteSource[],
  inline: Readonly<Record<string, string>> | undefined,
): Map<string, string> {
  const vars = new Map<string, string>();
  for (const source of sources) {
    for (const [k, v] of sourceValues(source)) vars.set(k, v);
  }
  for (const [k, v] of Object.entries(inline ?? {})) vars.set(k, stripNewlines(v));
  return vars;
}

/** Throws {@link SubstituteVariablesError} for the first variable name Flux would reject. */
export function validateVariableNames(vars: ReadonlyMap<string, string>): void {
  for (const name of vars.keys()) {
    if (!VARIABLE_NAME_PATTERN.test(name)) {
      throw new SubstituteVariablesError(
        `'${name}' var name is invalid, must match '^[_[:alpha:]][_[:alpha:][:digit:]]*$'`,
      );
    }
  }
}
